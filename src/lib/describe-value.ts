/**
 * A short, safe rendering of any value for an error message. JSON.stringify
 * throws on a BigInt or a cycle and says nothing of a function; an error
 * message must never be the thing that fails.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value)
    case 'bigint':
      return `${value}n`
    case 'symbol':
    case 'function':
      return `a ${typeof value}`
    case 'object': {
      if (value === null) return 'null'
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch {
        text = undefined
      }
      if (text === undefined) return Array.isArray(value) ? 'an array' : 'an object'
      return text.length > 80 ? text.slice(0, 77) + '...' : text
    }
    default:
      return String(value)
  }
}
