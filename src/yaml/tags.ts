// Explicit tags as both Go readers take them (measured with kubectl and
// kustomize, test/yaml/go-readers.test.ts): `!!binary` is its decoded text,
// `!!str` on a collection is ignored (`!!float 0x10`, 16, is in scalars.ts), and a
// local tag (`!custom`) is dropped, its scalar read as a string and its
// collection as it is.
import { defineMappingTag, defineScalarTag, defineSequenceTag, mapTag, NOT_RESOLVED, seqTag } from 'js-yaml'

const YAML = 'tag:yaml.org,2002:'
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export const GO_EXPLICIT_TAGS = [
  // go-yaml decodes !!binary with base64.StdEncoding; the JSON of the bytes is their text
  defineScalarTag<string>(`${YAML}binary`, {
    resolve: (s) => {
      const b64 = s.replace(/\s+/g, '')
      return BASE64.test(b64) && b64.length % 4 === 0 ? Buffer.from(b64, 'base64').toString('utf8') : NOT_RESOLVED
    },
    identify: () => false,
  }),
  // !!str on a sequence or a mapping: the collection, as both read it
  defineSequenceTag(`${YAML}str`, { ...seqTag, identify: () => false }),
  defineMappingTag(`${YAML}str`, { ...mapTag, identify: () => false }),
  // a local tag (!custom) is dropped: a scalar is its text, a collection is as it is
  defineScalarTag<string>('!', { matchByTagPrefix: true, resolve: (s) => s, identify: () => false }),
  defineSequenceTag('!', { ...seqTag, matchByTagPrefix: true, identify: () => false }),
  defineMappingTag('!', { ...mapTag, matchByTagPrefix: true, identify: () => false }),
]
