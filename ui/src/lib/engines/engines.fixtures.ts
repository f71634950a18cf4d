import type { EngineRelease } from '../../generated/EngineRelease'
import type { EngineReleases } from '../../generated/EngineReleases'
import type { EngineRuntime } from '../../generated/EngineRuntime'
import type { EngineRuntimeEntry } from '../../generated/EngineRuntimeEntry'
import type { EngineRuntimes } from '../../generated/EngineRuntimes'
import type { HardwareProfile } from '../../generated/HardwareProfile'
import type { ReleaseBuild } from '../../generated/ReleaseBuild'
import type { RuntimeVariant } from '../../generated/RuntimeVariant'
import { DEFAULT_RELEASES_URL, runtimeId } from './engines'

/*
 * Engine runtimes as the core sends them, for tests (stores, pages, the fake transport's default).
 */

const MiB = 1024 * 1024

/** A Linux PC with an NVIDIA driver (CUDA 12.4) and Vulkan. */
export function hardware(patch: Partial<HardwareProfile> = {}): HardwareProfile {
  return { os: 'linux', arch: 'x86_64', cpu_features: ['avx', 'avx2', 'fma'], nvidia_driver: '550.54.14', nvidia_cuda: '12.4', vulkan: true, ...patch }
}

/** An installed runtime of release `version` (b6000 CPU by default). */
export function runtime(patch: Partial<EngineRuntime> = {}): EngineRuntime {
  const version = patch.version ?? 'b6000'
  const variant = patch.variant ?? 'cpu'
  const id = patch.id ?? runtimeId(version, variant)
  return {
    id,
    engine: 'llama_cpp',
    version,
    variant,
    variant_label: variant === 'cpu' ? '' : variant,
    state: 'installed',
    dir: `/data/runtimes/${id}`,
    server_path: `/data/runtimes/${id}/llama-server`,
    reported_version: `version: ${version.slice(1)} (abcdef0)`,
    size_bytes: 42 * MiB,
    source_url: `https://github.com/ggml-org/llama.cpp/releases/download/${version}/llama-${version}-bin-ubuntu-x64.zip`,
    download_id: null,
    error: null,
    make_default: false,
    created_at: 1_700_000_000_000,
    ...patch,
  }
}

/** A runtime with what uses it. */
export function entry(r: EngineRuntime, patch: Partial<EngineRuntimeEntry> = {}): EngineRuntimeEntry {
  return { runtime: r, is_default: false, pinned_models: [], running_instances: 0, ...patch }
}

/** The overview: no runtime, a build from source as the fallback, GitHub as the source. */
export function overview(patch: Partial<EngineRuntimes> = {}): EngineRuntimes {
  return {
    hardware: hardware(),
    releases_url: DEFAULT_RELEASES_URL,
    releases_url_is_default: true,
    default_id: null,
    previous_default_id: null,
    runtimes: [],
    fallback: { path: '/home/me/.cache/llmops/llama.cpp/build/bin/llama-server', source: 'cache' },
    ...patch,
  }
}

/** A build of `version` for Linux x64. */
export function build(version: string, variant: RuntimeVariant, patch: Partial<ReleaseBuild> = {}): ReleaseBuild {
  const label = { cpu: '', vulkan: 'vulkan', cuda12: 'cuda-12.4', cuda13: 'cuda-13.0' }[variant]
  const asset = `llama-${version}-bin-ubuntu-${label ? `${label}-` : ''}x64.zip`
  return {
    variant,
    variant_label: label,
    asset,
    size_bytes: (variant.startsWith('cuda') ? 300 : 20) * MiB,
    sha256: 'a'.repeat(64),
    url: `https://github.com/ggml-org/llama.cpp/releases/download/${version}/${asset}`,
    companion: null,
    ...patch,
  }
}

/** A release with a CPU, a Vulkan and a CUDA 12 build. */
export function release(version: string, patch: Partial<EngineRelease> = {}): EngineRelease {
  return { version, published_at: '2025-07-01T12:00:00Z', prerelease: false, builds: [build(version, 'cpu'), build(version, 'vulkan'), build(version, 'cuda12')], ...patch }
}

/** The releases listing: b6002 (newest) to b6000, CUDA 12 recommended. */
export function releases(patch: Partial<EngineReleases> = {}): EngineReleases {
  return {
    url: DEFAULT_RELEASES_URL,
    platform: 'ubuntu-x64',
    releases: [release('b6002'), release('b6001'), release('b6000')],
    recommended: { variant: 'cuda12', reason: 'an NVIDIA driver supporting CUDA 12.4 is installed' },
    ...patch,
  }
}
