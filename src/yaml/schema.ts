import { CORE_SCHEMA, DUMP_SCHEMA, mergeTag } from 'js-yaml'
import { GO_EXPLICIT_TAGS } from './tags.js'
import { GO_TAGS, NOT_A_STRING_FOR_SOMEONE } from './scalars.js'

/**
 * Scalars as kubectl and kustomize both read them (see scalars.ts): null,
 * true/false, Go's integers and floats; everything else, dates and
 * yes/no/on/off included, a string. Merge keys work, as in both, and so do
 * the explicit tags both take (tags.ts).
 */
export const KUBERNETES_SCHEMA = CORE_SCHEMA.withTags(...GO_TAGS, ...GO_EXPLICIT_TAGS, mergeTag)

/**
 * For writing: js-yaml's most cautious schema (YAML 1.1 and 1.2 forms) plus
 * detectors for what Go or YAML 1.1 readers take for numbers, dates or
 * booleans, so that every such string is quoted and read back as a string by
 * kubectl, kustomize and any YAML 1.1 reader.
 */
export const WRITE_SCHEMA = DUMP_SCHEMA.withTags(...NOT_A_STRING_FOR_SOMEONE)
