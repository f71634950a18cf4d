/**
 * `color` with an alpha channel (`alpha` 0–1) for canvas drawing: #rgb and #rrggbb get a hex
 * alpha; rgb()/hsl() and names come back unchanged (opaque) rather than broken.
 */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim()
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255)
    .toString(16)
    .padStart(2, '0')
  if (/^#[0-9a-f]{6}$/i.test(c)) return `${c}${a}`
  if (/^#[0-9a-f]{3}$/i.test(c)) return `#${[...c.slice(1)].map((d) => d + d).join('')}${a}`
  return c
}
