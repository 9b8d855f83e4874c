"""Times Krake's own complete hook on the bench's manifests, when a Krake
checkout is on the machine (npm run bench passes KRAKE_SRC; nothing of
Krake's is in this repository).

    python3 bench/krake-reference.py KRAKE_SRC INPUT.json

KRAKE_SRC is a checkout's `krake/` folder (the one holding `krake/utils.py`
and `krake/controller/kubernetes/hooks.py`), of either era: 2020's (4749d43:
`Complete.mangle_app(name, namespace, token, mangling, ...)`, a ConfigMap)
or today's (92f8648: `Hook.mangle_app(..., mangled_observer_schema,
hook_type)`, Secrets and an observer schema).

INPUT.json: {"manifests": [...], "app": {"name", "namespace"}, "apiEndpoint",
"token", "caPem", "intermediatePem", "certPem", "keyPem"}, and optionally
"runs" and "warmup": by default 7 runs after one warm-up for 2020's code,
one run and no warm-up for today's, which finds each resource's observer
schema by a linear scan of the list and so grows with its square (1,000
small Deployments: 0.45 s; 10,000: 48-57 s here).
Prints one JSON line: {"era", "n", "runs": [ms, ...], "median", and what the
hook made of the first Deployment: "objects", "env", "volumes"}.

What is timed is what Krake's controller does to an application's manifests
on each reconciliation, with the client certificate already issued (our
injectHook is handed one too): `deepcopy(spec.manifest)` into the
last applied manifest, today's era also `generate_default_observer_schema`,
then `mangle_app`. The functions are Krake's own, unchanged, loaded from
the checkout's files. Krake's package imports much that the mangling never
reaches (aiohttp, marshmallow data classes, the TOSCA parser, the
Kubernetes client's API classes): those names are stand-ins here, empty
classes that are never called. `kubernetes_asyncio` is Debian's `kubernetes`
package (python3-kubernetes), whose model classes (V1EnvVar, V1Volume,
V1Secret, ...) are generated from the same OpenAPI as kubernetes_asyncio's;
the hook calls only their constructors, `to_dict` and `attribute_map`.
`OpenSSL` (python3-openssl) and `yarl` (python3-yarl) are the real ones.
"""

import importlib.util
import json
import os
import ssl
import statistics
import sys
import tempfile
import time
import types
from copy import deepcopy


class _StandIn:
    """A name Krake's module imports and the mangling never calls."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("stand-in called: the mangling path reached code this harness does not load")


def _module(name, **names):
    mod = types.ModuleType(name)
    mod.__path__ = []  # a package, so that submodules can hang under it
    mod.__dict__.update(names)
    sys.modules[name] = mod
    return mod


def _stand_ins(names):
    return {n: type(n, (_StandIn,), {}) for n in names}


def load_hooks(src):
    import kubernetes
    import kubernetes.client
    import kubernetes.client.api_client
    import kubernetes.client.rest
    import kubernetes.config.kube_config

    sys.modules["kubernetes_asyncio"] = kubernetes
    sys.modules["kubernetes_asyncio.client"] = kubernetes.client
    sys.modules["kubernetes_asyncio.client.rest"] = kubernetes.client.rest
    sys.modules["kubernetes_asyncio.client.api_client"] = kubernetes.client.api_client
    sys.modules["kubernetes_asyncio.config"] = kubernetes.config
    sys.modules["kubernetes_asyncio.config.kube_config"] = kubernetes.config.kube_config

    krake = _module("krake")
    krake.__path__ = [os.path.join(src, "krake")]
    spec = importlib.util.spec_from_file_location("krake.utils", os.path.join(src, "krake", "utils.py"))
    utils = importlib.util.module_from_spec(spec)
    sys.modules["krake.utils"] = utils
    spec.loader.exec_module(utils)

    class ControllerError(Exception):
        pass

    class InvalidManifestError(Exception):
        pass

    _module("aiohttp", **_stand_ins(["ClientConnectorError"]))
    _module("krake.controller", ControllerError=ControllerError, **_stand_ins(["Observer"]))
    _module("krake.controller.kubernetes")
    _module(
        "krake.controller.kubernetes.client",
        InvalidManifestError=InvalidManifestError,
        **_stand_ins(["KubernetesClient"]),
    )
    _module(
        "krake.controller.kubernetes.tosca",
        ToscaParserException=type("ToscaParserException", (Exception,), {}),
        **_stand_ins(["ToscaParser"]),
    )
    _module("krake.data")
    _module(
        "krake.data.kubernetes",
        **_stand_ins(
            [
                "ClusterState",
                "Application",
                "ApplicationState",
                "ContainerHealth",
                "Cluster",
                "ClusterNodeCondition",
                "ClusterNode",
                "ClusterNodeStatus",
                "ClusterNodeMetadata",
            ]
        ),
    )
    class _Names(type):
        def __getattr__(cls, name):
            return name

    # 2020's hooks.py reads ReasonCode.INVALID_RESOURCE when it defines its error class.
    _module("krake.data.core", ReasonCode=_Names("ReasonCode", (), {}))

    path = os.path.join(src, "krake", "controller", "kubernetes", "hooks.py")
    spec = importlib.util.spec_from_file_location("krake.controller.kubernetes.hooks", path)
    hooks = importlib.util.module_from_spec(spec)
    sys.modules["krake.controller.kubernetes.hooks"] = hooks
    spec.loader.exec_module(hooks)
    return hooks


def main():
    src, input_path = sys.argv[1], sys.argv[2]
    with open(input_path) as f:
        inp = json.load(f)
    hooks = load_hooks(src)
    today = hasattr(hooks, "generate_default_observer_schema")

    ssl_context = ssl.create_default_context(cadata=inp["caPem"])
    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
        f.write(inp["intermediatePem"])
        intermediate_src = f.name
    cert = hooks.CertificatePair(cert=inp["certPem"], key=inp["keyPem"])
    name, namespace = inp["app"]["name"], inp["app"]["namespace"]
    manifests = inp["manifests"]
    hook = hooks.Complete(
        inp["apiEndpoint"],
        ssl_context,
        hook_user="system:complete-hook",
        cert_dest="/etc/krake_complete_certs",
        env_token="KRAKE_COMPLETE_TOKEN",
        **({"env_url": "KRAKE_COMPLETE_URL"} if today else {"env_complete": "KRAKE_COMPLETE_URL"}),
    )

    class Spec:
        manifest = manifests
        observer_schema = []

    class Status:
        mangled_observer_schema = None

    class App:
        spec = Spec
        status = Status

    def once():
        last_applied = deepcopy(manifests)
        if today:
            hooks.generate_default_observer_schema(App)
            hook.mangle_app(
                name,
                namespace,
                inp["token"],
                last_applied,
                intermediate_src,
                cert,
                Status.mangled_observer_schema,
                "complete",
            )
        else:
            hook.mangle_app(name, namespace, inp["token"], last_applied, intermediate_src, cert)
        return last_applied

    out = None
    for _ in range(inp.get("warmup", 0 if today else 1)):
        out = once()
    runs = []
    for _ in range(inp.get("runs", 1 if today else 7)):
        start = time.perf_counter()
        out = once()
        runs.append((time.perf_counter() - start) * 1000)
    os.unlink(intermediate_src)
    containers = out[0]["spec"]["template"]["spec"]["containers"]
    print(
        json.dumps(
            {
                "era": "today" if today else "2020",
                "n": len(manifests),
                "runs": runs,
                "median": statistics.median(runs),
                "objects": len(out),
                "env": [e["name"] for e in containers[0].get("env", [])],
                "volumes": [v["name"] for v in out[0]["spec"]["template"]["spec"].get("volumes", [])],
            }
        )
    )


if __name__ == "__main__":
    main()
