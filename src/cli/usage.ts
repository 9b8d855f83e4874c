// The command's usage texts: what --help prints, loaded without any command's code.
import { SIGNAL_USAGE } from './signal.js'

export const USAGE = `usage:
  krake-hooks inject --config HOOK.yaml [FILE...]   hook the manifests of FILEs (or stdin), YAML to stdout
  krake-hooks remove --config HOOK.yaml [FILE...]   take the hook out again: the exact inverse of inject
  krake-hooks check --config HOOK.yaml [FILE...]    would each container's callback be accepted? one line each
  krake-hooks webhook serve|config|objects          one mutating admission webhook for every application
  krake-hooks fn                                    KRM function: a ResourceList on stdin, functionConfig = HookConfig or ConfigMap
  krake-hooks token                                 print a new hook token
  krake-hooks hash                                  print the sha256: digest of the token on stdin
  krake-hooks signal complete|shutdown              in the application: PUT the hook's token (for containers without curl)
  krake-hooks --version | COMMAND --help

HOOK.yaml is a HookConfig (apiVersion krake-hooks/v1alpha1): spec holds the hook
(kind, app, apiEndpoint, token or tokenFile, tls with *Pem or *File), options the
inject options. The files it names are read from the working directory, and
must stay inside it (--load-restrictor none lifts this), as kustomize reads its own.`

export const WEBHOOK_USAGE = `usage:
  krake-hooks webhook serve --tls-cert FILE --tls-key FILE --hooks DIR [--client-ca FILE] [--address 0.0.0.0:8443]
                            [--metrics-address ADDR] [--reload-interval SECONDS] [--grace-period SECONDS]
                            [--drain-timeout SECONDS]
  krake-hooks webhook config --service NAMESPACE/NAME --ca-file FILE [--path /mutate] [--port 443]
                             [--failure-policy Fail|Ignore]
  krake-hooks webhook objects --config HOOK.yaml [--namespace NS]

serve: the mutating admission webhook. DIR holds HookConfig files, one per
application and hook kind. A Pod opts in with the label krake-hooks/app (the
Krake application's name); its Krake namespace is the annotation
krake-hooks/app-namespace, or the Pod's own; the annotation krake-hooks/hooks
(complete,shutdown) picks kinds, every kind DIR holds by default. A Pod that
asks for a hook DIR does not hold is denied, and so is a Pod outside the
namespaces (and service accounts) a HookConfig's boundTo names: by default
the application's own namespace. A hooked Pod gets references only: its
token and URL by secretKeyRef, its certificate files from a Secret volume
(webhook objects prints the Secrets); a HookConfig asking for inline values
is refused and its application denied. With --client-ca, /mutate requires a
client certificate from that CA (the API server's). POST /mutate (any query), GET
/healthz, /readyz, /metrics (Prometheus). DIR and the certificate are read
again every --reload-interval seconds (default 2); a file that breaks keeps
the last good set. SIGTERM stops accepting, finishes requests in flight
(--drain-timeout, default 25), then exits 0. Before it stops accepting, it
keeps serving for --grace-period seconds (default 5) with /readyz 503 and
every answer closing its connection, while the Service drops the replica.
config: prints the MutatingWebhookConfiguration, caBundle from FILE.
objects: prints the Secrets a hooked Pod reads, to create beforehand in the
Pods' namespace (grant get on them to nobody else).`

/** Each command's usage (a Map: `krake-hooks constructor --help` names no command). */
export const COMMAND_USAGE = new Map<string, string>(
  Object.entries({
    inject: `usage: krake-hooks inject --config HOOK.yaml [--output FORMAT] [--diff] [--references-only [--secrets-file FILE]]
                          [--load-restrictor rootOnly|none] [FILE...]

Hooks the manifests of FILEs (or stdin) and writes them to stdout; results go
to stderr, ending with a summary. --output (-o) says how:
  yaml        the hooked manifests (default)
  json        the hooked manifests as a v1 List
  json-patch  {"patches": [{resourceRef, patch}], "objects": [...]}: RFC 6902 patches (kubectl patch --type json)
  strategic   {"patches": [{resourceRef, patch}], "objects": [...]}: strategic merge patches (kubectl patch --type strategic)
  apply       the apply configurations for field manager krake-hooks, then the objects, as YAML
              (kubectl apply --server-side --field-manager krake-hooks -f -)
--diff prints a unified diff of the YAML before and after instead.
--references-only writes manifests fit for Git: the token and URL come by
secretKeyRef, the certificate files from a Secret volume, and the Secrets
holding them are left out of stdout; --secrets-file writes them to FILE, mode
0600 (a HookConfig's referencesOnly: {secretsFile: FILE} says the same).
Exit 1 on an error (nothing on stdout), 2 on a usage error.`,
    remove: `usage: krake-hooks remove --config HOOK.yaml [--load-restrictor rootOnly|none] [FILE...]

Takes out of the manifests of FILEs (or stdin) every env entry, volume, mount
and object the hook wrote (the same HookConfig as for inject: only what equals
the hook's goes; an entry of its name that differs stays, with a warning) and
writes the YAML to stdout. Exit 1 on an error, 2 on a usage error.`,
    check: `usage: krake-hooks check --config HOOK.yaml [--hook-user CN] [--now RFC3339] [--load-restrictor rootOnly|none] [FILE...]

For every container of every workload in FILEs (or stdin), decides offline the
call it would make to the API: the token and URL as the kubelet gives them,
the certificate files as it mounts them, from the list's own ConfigMaps and
Secrets, against the HookConfig's token and CA bundle (and --hook-user, the
CN the API requires). One line per container on stdout. Exit 0 when every
call would be accepted, 1 otherwise (or when there is no container), 2 on a
usage error.`,
    fn: `usage: krake-hooks fn [--load-restrictor rootOnly|none]

A KRM function (kpt fn eval --exec, kpt fn render, kustomize): a ResourceList on
stdin, whose functionConfig is a HookConfig or a ConfigMap with the keys kind,
appName, appNamespace, apiEndpoint, externalEndpoint, token, tokenFile,
caBundleFile, certFile, keyFile, envToken, envUrl, certDest, certStorage,
tokenFrom, initContainers, onConflict; the ResourceList on stdout. Exit 1 when
a result is an error.`,
    token: `usage: krake-hooks token

Prints a new hook token: 32 random bytes, base64url.`,
    hash: `usage: krake-hooks hash < TOKEN

Prints the sha256: digest of the token on stdin, for a server to store instead of the token.`,
    signal: SIGNAL_USAGE,
    webhook: WEBHOOK_USAGE,
  }),
)
export const usageOf = (command: string) => COMMAND_USAGE.get(command) ?? USAGE
