import type { EngineFit } from '../../generated/EngineFit'
import type { FitEstimate } from '../../generated/FitEstimate'
import type { DeployPrefill } from '../deploy/deployPrefill'

/** The settings part of a Deploy prefill. */
export type FitSettings = Omit<DeployPrefill, 'path' | 'name'>

/**
 * What to deploy a checked model with. llama.cpp's own check wins when it found settings that
 * fit (its context and GPU layers); else llmops's estimate: the context it was estimated at when
 * the model fits as it is, otherwise its first suggestion that changes how this file runs (a
 * shorter context, a quantised KV cache, fewer GPU layers; a smaller file is another download).
 * The suggestions are alternatives, each enough by itself: only one is taken.
 */
export function fitDeploySettings(estimate: FitEstimate, engine?: EngineFit | null): FitSettings {
  if (engine?.fits) {
    const out: FitSettings = {}
    const context = engine.context_size ?? estimate.context_size
    if (context > 0) out.context_size = context
    if (engine.gpu_layers !== null && engine.gpu_layers >= -1) out.gpu_layers = engine.gpu_layers
    return out
  }
  const context: FitSettings = estimate.context_size > 0 ? { context_size: estimate.context_size } : {}
  if (estimate.verdict.kind === 'full_gpu') return context
  for (const s of estimate.suggestions) {
    switch (s.kind) {
      case 'context':
        return { context_size: s.context_size }
      case 'kv_cache':
        return { ...context, cache_type_k: s.cache_type, cache_type_v: s.cache_type }
      case 'gpu_layers':
        return { ...context, gpu_layers: s.layers }
    }
  }
  // Nothing to change here: on the CPU as estimated, or too large whatever the settings.
  return estimate.verdict.kind === 'does_not_fit' ? {} : context
}
