import { describe, expect, it } from 'vitest'
import { callerMessage, scopeIncludes, SCOPES, svgDataUrl, toMs } from './access'

describe('scopeIncludes', () => {
  it('lets each scope do what the weaker ones do, and no more', () => {
    const table = SCOPES.map((have) => SCOPES.map((need) => scopeIncludes(have, need)))
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ])
  })
})

describe('callerMessage', () => {
  it('names this machine, a key, or the server token', () => {
    expect(callerMessage({ scope: 'admin', via: 'local', key_id: null, key_name: null })).toEqual({ key: 'access.who.local' })
    expect(callerMessage({ scope: 'read', via: 'session', key_id: 'k1', key_name: 'phone' })).toEqual({ key: 'access.who.key', params: { name: 'phone' } })
    expect(callerMessage({ scope: 'operate', via: 'api_key', key_id: 'k2', key_name: 'script' })).toEqual({ key: 'access.who.key', params: { name: 'script' } })
    expect(callerMessage({ scope: 'admin', via: 'session', key_id: null, key_name: null })).toEqual({ key: 'access.who.token' })
    expect(callerMessage({ scope: 'admin', via: 'server_token', key_id: null, key_name: null })).toEqual({ key: 'access.who.token' })
  })
})

describe('svgDataUrl', () => {
  it('encodes the SVG as UTF-8 base64, so no markup reaches the page', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>登录 ✓</title></svg>'
    const url = svgDataUrl(svg)
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true)
    expect(url).not.toContain('<')
    const bytes = Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0))
    expect(new TextDecoder().decode(bytes)).toBe(svg)
  })

  it('handles a large QR code', () => {
    const svg = `<svg>${'<rect x="1" y="2" width="1" height="1"/>'.repeat(5000)}</svg>`
    const url = svgDataUrl(svg)
    expect(atob(url.slice(url.indexOf(',') + 1))).toBe(svg)
  })
})

describe('toMs', () => {
  it('reads times that the generated types call bigint and JSON sends as numbers', () => {
    expect(toMs(1700000000000n)).toBe(1700000000000)
    expect(toMs(5)).toBe(5)
    expect(toMs(null)).toBeNull()
  })
})
