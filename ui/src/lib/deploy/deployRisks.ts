import type { Message } from '../access'
import { lines, type DeployForm } from './deployForm'
import { formatArgv, quoteArg } from '../modelSettings'

/** The image vLLM in Docker runs when the form names none (mirrors the server). */
export const DEFAULT_DOCKER_IMAGE = 'vllm/vllm-openai:latest'

/** A setting that runs code or gives a container the user's files: confirmed before it is used. */
export type DeployRisk =
  /** A custom command: `program` runs as the user, with these arguments. */
  | { kind: 'command'; program: string; args: string[] }
  /** vLLM's `--trust-remote-code`: the repository's own Python code runs. */
  | { kind: 'trust_remote_code'; model: string }
  /** A Docker image other than the default one. */
  | { kind: 'image'; image: string }
  /** A host folder mounted read-write into the container. */
  | { kind: 'mount'; path: string }

/**
 * The command's arguments as the engine gets them: `{model}` and `{name}` from the form, `{port}`
 * too when the port is fixed (else llmops picks it at start), then the extra arguments.
 */
function commandArgs(form: DeployForm, items: string[]): string[] {
  const port = form.port.trim()
  const fixedPort = /^\d+$/.test(port) ? port : null
  const expanded = items.map((item) => {
    let out = item.replaceAll('{model}', form.model.trim()).replaceAll('{name}', form.name.trim())
    if (fixedPort) out = out.replaceAll('{port}', fixedPort)
    return out
  })
  return [...expanded, ...lines(form.extraArgs)]
}

/** What in the form runs code or mounts files, in the order the confirmation names them. */
export function deployRisks(form: DeployForm): DeployRisk[] {
  const risks: DeployRisk[] = []
  if (form.engine === 'custom') {
    const command = lines(form.command)
    if (command.length > 0) risks.push({ kind: 'command', program: command[0], args: commandArgs(form, command.slice(1)) })
    return risks
  }
  if (form.engine !== 'vllm' && form.engine !== 'vllm_docker') return risks
  if (form.trustRemoteCode) risks.push({ kind: 'trust_remote_code', model: form.model.trim() })
  if (form.engine === 'vllm_docker') {
    const image = form.image.trim()
    if (image && image !== DEFAULT_DOCKER_IMAGE) risks.push({ kind: 'image', image })
    const cache = form.hfCache.trim()
    if (cache) risks.push({ kind: 'mount', path: cache })
  }
  return risks
}

/** Identifies a risk exactly: a yes to it does not cover a changed command, model, image or path. */
export function riskKey(risk: DeployRisk): string {
  return JSON.stringify(risk)
}

/** The sentence that names what will run or be mounted. */
export function riskMessage(risk: DeployRisk): Message {
  switch (risk.kind) {
    case 'command':
      return risk.args.length > 0
        ? { key: 'deploy.risk.command', params: { program: quoteArg(risk.program), args: formatArgv(risk.args) } }
        : { key: 'deploy.risk.commandNoArgs', params: { program: quoteArg(risk.program) } }
    case 'trust_remote_code':
      return { key: 'deploy.risk.trustRemoteCode', params: { model: risk.model } }
    case 'image':
      return { key: 'deploy.risk.image', params: { image: risk.image, default: DEFAULT_DOCKER_IMAGE } }
    case 'mount':
      return { key: 'deploy.risk.mount', params: { path: risk.path } }
  }
}
