import { describe, expect, it } from 'vitest'
import { fitDeploySettings } from './fitDeploy'
import { fitEstimate, fitReport } from './hub.fixtures'

describe('fitDeploySettings', () => {
  it('keeps the estimated context when the model fits as it is', () => {
    expect(fitDeploySettings(fitEstimate())).toEqual({ context_size: 8192 })
  })

  it('takes the first suggestion that changes how this file runs, one only', () => {
    const partial = { kind: 'partial_gpu' as const, layers: 20, of: 30 }
    expect(
      fitDeploySettings(
        fitEstimate({
          verdict: partial,
          context_size: 32768,
          suggestions: [
            { kind: 'context', context_size: 4096 },
            { kind: 'kv_cache', cache_type: 'q8_0' },
            { kind: 'gpu_layers', layers: 20 },
          ],
        }),
      ),
    ).toEqual({ context_size: 4096 })
    expect(fitDeploySettings(fitEstimate({ verdict: partial, suggestions: [{ kind: 'kv_cache', cache_type: 'q8_0' }] }))).toEqual({
      context_size: 8192, cache_type_k: 'q8_0', cache_type_v: 'q8_0',
    })
    expect(fitDeploySettings(fitEstimate({ verdict: partial, suggestions: [{ kind: 'smaller_quant', file: 'x.gguf', bytes: 1 }, { kind: 'gpu_layers', layers: 20 }] }))).toEqual({
      context_size: 8192, gpu_layers: 20,
    })
  })

  it('suggests nothing for a file that does not fit whatever the settings', () => {
    expect(fitDeploySettings(fitEstimate({ verdict: { kind: 'does_not_fit' }, suggestions: [{ kind: 'smaller_quant', file: 'x.gguf', bytes: 1 }] }))).toEqual({})
    expect(fitDeploySettings(fitEstimate({ verdict: { kind: 'cpu' } }))).toEqual({ context_size: 8192 })
  })

  it('prefers llama.cpp’s own settings when it found some that fit', () => {
    const report = fitReport()
    expect(fitDeploySettings(fitEstimate({ verdict: { kind: 'does_not_fit' } }), { ...report.engine!, context_size: 4096, gpu_layers: 18 })).toEqual({
      context_size: 4096, gpu_layers: 18,
    })
    expect(fitDeploySettings(fitEstimate(), { ...report.engine!, fits: false, context_size: 512 })).toEqual({ context_size: 8192 })
  })
})
