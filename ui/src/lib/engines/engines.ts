import type { EngineRelease } from '../../generated/EngineRelease'
import type { EngineRuntime } from '../../generated/EngineRuntime'
import type { EngineRuntimeEntry } from '../../generated/EngineRuntimeEntry'
import type { EngineRuntimes } from '../../generated/EngineRuntimes'
import type { ReleaseBuild } from '../../generated/ReleaseBuild'
import type { RuntimeVariant } from '../../generated/RuntimeVariant'
import type { MessageKey } from '../../i18n/en'

/*
 * The engine runtimes (llama.cpp builds the core downloads, verifies and unpacks): what the
 * Engines page and the dashboard read from the core's overview, as plain functions.
 */

/** GitHub's release list of llama.cpp: where releases are listed unless a mirror is set (the core's default). */
export const DEFAULT_RELEASES_URL = 'https://api.github.com/repos/ggml-org/llama.cpp/releases?per_page=30'

/** How many releases the Engines page lists (the newest). */
export const RELEASES_SHOWN = 10

/** A runtime's id, as the core names it: `llama.cpp-<version>-<variant>`. */
export function runtimeId(version: string, variant: RuntimeVariant): string {
  return `llama.cpp-${version}-${variant}`
}

/** The i18n key naming a build's accelerator ("CPU", "CUDA 12"). */
export function variantKey(variant: RuntimeVariant): MessageKey {
  return `engines.variant.${variant}`
}

/**
 * A build's name as its archive says it (`cuda-12.4`, `vulkan`), or the accelerator's name
 * when the archive says none (a plain CPU build).
 */
export function variantName(build: { variant: RuntimeVariant; variant_label: string }, t: (key: MessageKey) => string): string {
  return build.variant_label.trim() || t(variantKey(build.variant))
}

/** The i18n key saying where a fallback `llama-server` comes from, or null for a source this UI does not know. */
export function fallbackSourceKey(source: string): MessageKey | null {
  switch (source) {
    case 'cache':
      return 'engines.fallback.source.cache'
    case 'configured':
      return 'engines.fallback.source.configured'
    case 'PATH':
      return 'engines.fallback.source.PATH'
    default:
      return null
  }
}

/** The runtimes installed and usable. */
export function installedRuntimes(overview: EngineRuntimes | null): EngineRuntimeEntry[] {
  return overview?.runtimes.filter((e) => e.runtime.state === 'installed') ?? []
}

/** Nothing can run a llama.cpp model: no runtime is installed and no `llama-server` was found. */
export function needsEngine(overview: EngineRuntimes | null): boolean {
  return overview !== null && overview.fallback === null && installedRuntimes(overview).length === 0
}

/** The runtime a rollback returns to, when there is one and it is still installed. */
export function rollBackTarget(overview: EngineRuntimes | null): EngineRuntimeEntry | null {
  const id = overview?.previous_default_id
  if (!id) return null
  return installedRuntimes(overview).find((e) => e.runtime.id === id) ?? null
}

/** The id of the runtime a model is pinned to, or '' (it uses the default). */
export function pinnedRuntimeId(overview: EngineRuntimes | null, modelId: string): string {
  return overview?.runtimes.find((e) => e.pinned_models.some((m) => m.id === modelId))?.runtime.id ?? ''
}

/**
 * The overview with `runtime` (an `engine_runtime_update`, an install's answer) in place of its
 * record; a runtime it has not listed yet is added, used by nothing.
 */
export function withRuntime(overview: EngineRuntimes, runtime: EngineRuntime): EngineRuntimes {
  const known = overview.runtimes.some((e) => e.runtime.id === runtime.id)
  const runtimes = known
    ? overview.runtimes.map((e) => (e.runtime.id === runtime.id ? { ...e, runtime } : e))
    : [...overview.runtimes, { runtime, is_default: false, pinned_models: [], running_instances: 0 }]
  return { ...overview, runtimes }
}

/** The releases the page lists: newest first, as the core sends them, at most `RELEASES_SHOWN`. */
export function shownReleases(releases: readonly EngineRelease[]): EngineRelease[] {
  return releases.slice(0, RELEASES_SHOWN)
}

/** The build of a release preselected: the recommended accelerator when the release has it, else its first (CPU) build. */
export function preselectedVariant(release: EngineRelease, recommended: RuntimeVariant): RuntimeVariant | null {
  if (release.builds.some((b) => b.variant === recommended)) return recommended
  return release.builds[0]?.variant ?? null
}

/** What a build downloads: its archive and the CUDA libraries that come with it. */
export function buildBytes(build: ReleaseBuild): number {
  return build.size_bytes + (build.companion?.size_bytes ?? 0)
}

/** What an install of a build would do now: install it, nothing (installed already or on its way), or install it again (failed). */
export type BuildStatus = 'new' | 'installed' | 'installing' | 'failed'

export function buildStatus(overview: EngineRuntimes | null, version: string, variant: RuntimeVariant): BuildStatus {
  const id = runtimeId(version, variant)
  const state = overview?.runtimes.find((e) => e.runtime.id === id)?.runtime.state
  if (!state) return 'new'
  if (state === 'installed') return 'installed'
  if (state === 'failed') return 'failed'
  return 'installing'
}

/** A release's publication time in ms, or null when it has none or it cannot be read. */
export function publishedMs(release: EngineRelease): number | null {
  if (!release.published_at) return null
  const ms = Date.parse(release.published_at)
  return Number.isFinite(ms) ? ms : null
}

/** Where on the Engines page an action is asked for, and so where its failure shows. */
export type EngineSection = 'first-run' | 'installed' | 'releases' | 'pins' | 'source'

/** The section of an action, by its key in the store (`busy`, `errorKey`), or null for none. */
export function actionSection(key: string | null): EngineSection | null {
  if (!key) return null
  if (key === 'install:recommended') return 'first-run'
  if (key.startsWith('install:')) return 'releases'
  if (key.startsWith('pin:')) return 'pins'
  if (key === 'source') return 'source'
  return 'installed'
}
