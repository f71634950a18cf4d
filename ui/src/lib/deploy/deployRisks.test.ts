import { describe, expect, it } from 'vitest'
import { emptyDeployForm, type DeployForm } from './deployForm'
import { DEFAULT_DOCKER_IMAGE, deployRisks, riskKey, riskMessage } from './deployRisks'

function form(patch: Partial<DeployForm>): DeployForm {
  return { ...emptyDeployForm(patch.engine), ...patch }
}

describe('deployRisks', () => {
  it('finds nothing to confirm in llama.cpp or a plain vLLM form', () => {
    expect(deployRisks(form({ name: 'x', model: '/m.gguf' }))).toEqual([])
    expect(deployRisks(form({ engine: 'vllm', model: 'Qwen/Q' }))).toEqual([])
    expect(deployRisks(form({ engine: 'vllm_docker', model: 'Qwen/Q', image: ` ${DEFAULT_DOCKER_IMAGE} ` }))).toEqual([])
    // Fields of another engine do not count.
    expect(deployRisks(form({ engine: 'llama_cpp', model: '/m.gguf', trustRemoteCode: true, command: 'rm\n-rf\n/', hfCache: '/x' }))).toEqual([])
    expect(deployRisks(form({ engine: 'vllm', model: 'Qwen/Q', image: 'evil/image', hfCache: '/home/me' }))).toEqual([])
  })

  it('names the program of a custom command and its arguments as they will run', () => {
    const custom = form({ engine: 'custom', name: 'Mine', model: '/models/x', command: ' /usr/bin/x \n--port\n{port}\n--model\n{model}\n--alias={name}', extraArgs: '--seed\n1' })
    expect(deployRisks(custom)).toEqual([
      { kind: 'command', program: '/usr/bin/x', args: ['--port', '{port}', '--model', '/models/x', '--alias=Mine', '--seed', '1'] },
    ])
    // A fixed port is the one the command gets.
    expect(deployRisks({ ...custom, port: '9000' })[0]).toMatchObject({ args: ['--port', '9000', '--model', '/models/x', '--alias=Mine', '--seed', '1'] })
    expect(deployRisks(form({ engine: 'custom', command: 'srv' }))).toEqual([{ kind: 'command', program: 'srv', args: [] }])
    // Nothing to run yet: validation says so first.
    expect(deployRisks(form({ engine: 'custom', command: ' \n ' }))).toEqual([])
  })

  it('names trust_remote_code with its repository, another image, and a mounted folder', () => {
    expect(deployRisks(form({ engine: 'vllm', model: ' org/model ', trustRemoteCode: true }))).toEqual([{ kind: 'trust_remote_code', model: 'org/model' }])
    expect(deployRisks(form({ engine: 'vllm_docker', model: 'org/model', trustRemoteCode: true, image: ' me/vllm:dev ', hfCache: ' /data/hf ' }))).toEqual([
      { kind: 'trust_remote_code', model: 'org/model' },
      { kind: 'image', image: 'me/vllm:dev' },
      { kind: 'mount', path: '/data/hf' },
    ])
  })
})

describe('riskKey', () => {
  it('tells apart the same kind of risk with other details', () => {
    const a = riskKey({ kind: 'command', program: 'srv', args: ['--port', '{port}'] })
    expect(riskKey({ kind: 'command', program: 'srv', args: ['--port', '{port}'] })).toBe(a)
    expect(riskKey({ kind: 'command', program: 'srv', args: ['--port', '{port}', '--x'] })).not.toBe(a)
    expect(riskKey({ kind: 'mount', path: '/a' })).not.toBe(riskKey({ kind: 'mount', path: '/b' }))
  })
})

describe('riskMessage', () => {
  it('gives each risk its sentence with what exactly runs or is mounted', () => {
    expect(riskMessage({ kind: 'command', program: '/opt/my srv', args: ['--port', '{port}', "it's"] })).toEqual({
      key: 'deploy.risk.command', params: { program: "'/opt/my srv'", args: "--port {port} 'it'\\''s'" },
    })
    expect(riskMessage({ kind: 'command', program: 'srv', args: [] })).toEqual({ key: 'deploy.risk.commandNoArgs', params: { program: 'srv' } })
    expect(riskMessage({ kind: 'trust_remote_code', model: 'org/m' })).toEqual({ key: 'deploy.risk.trustRemoteCode', params: { model: 'org/m' } })
    expect(riskMessage({ kind: 'image', image: 'me/vllm' })).toEqual({ key: 'deploy.risk.image', params: { image: 'me/vllm', default: DEFAULT_DOCKER_IMAGE } })
    expect(riskMessage({ kind: 'mount', path: '/data/hf' })).toEqual({ key: 'deploy.risk.mount', params: { path: '/data/hf' } })
  })
})
