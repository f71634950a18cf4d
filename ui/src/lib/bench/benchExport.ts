import type { BenchmarkExport } from '../../generated/BenchmarkExport'

/** Saves an exported report as a file: a Blob behind a temporary `<a download>` click. */
export function saveExport(file: BenchmarkExport): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.content_type }))
  const a = document.createElement('a')
  a.href = url
  a.download = file.filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Give the browser time to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
