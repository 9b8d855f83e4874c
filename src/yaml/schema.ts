import { CORE_SCHEMA, boolYaml11Tag, floatYaml11Tag, intYaml11Tag, mergeTag, nullYaml11Tag } from 'js-yaml'

/**
 * Scalars as Kubernetes reads them (its YAML is 1.1: `defaultMode: 0644` is
 * octal 420, `yes` is true), merge keys allowed, but no timestamps: a date
 * in an annotation stays the string it was written as.
 */
export const KUBERNETES_SCHEMA = CORE_SCHEMA.withTags(nullYaml11Tag, boolYaml11Tag, intYaml11Tag, floatYaml11Tag, mergeTag)
