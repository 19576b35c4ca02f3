import {
  chooseWorkflow,
  findOverride,
  inspectWorkflowFile,
  workflowNamesFor,
  type WorkflowFileFacts,
  type WorkflowInfo
} from '../../src/plan/workflow-choice.js';
import { buildWorkflow } from '../support/sample-stream.js';

const service: WorkflowInfo = {
  id: 1,
  name: 'Build and Publish Service Docker Images',
  path: '.github/workflows/build_and_release_image.yaml',
  state: 'active'
};
const ct: WorkflowInfo = {
  id: 2,
  name: 'Build and Publish CT Docker Images',
  path: '.github/workflows/build_and_release_ct_image.yaml',
  state: 'active'
};
const lint: WorkflowInfo = { id: 3, name: 'Lint', path: '.github/workflows/lint.yaml', state: 'active' };
const custom: WorkflowInfo = { id: 4, name: 'Images', path: '.github/workflows/images.yml', state: 'active' };

function reader(files: Record<number, string | undefined>): {
  read: (w: WorkflowInfo) => Promise<WorkflowFileFacts | undefined>;
  reads: number[];
} {
  const reads: number[] = [];
  return {
    reads,
    read: (w) => {
      reads.push(w.id);
      const text = files[w.id];
      return Promise.resolve(text === undefined ? undefined : inspectWorkflowFile(text, w.path));
    }
  };
}

describe('inspectWorkflowFile', () => {
  it('finds the Dockerfile the workflow builds: docker-build-file, else Dockerfile in docker-build-context', () => {
    const withInputs = (w: string): string => `on: workflow_dispatch\njobs:\n  b:\n    with: { image-name: a, ${w} }\n`;
    expect(inspectWorkflowFile(withInputs('docker-build-file: ./build/Dockerfile.testing'), 'a')?.dockerfile).toBe(
      'build/Dockerfile.testing'
    );
    expect(inspectWorkflowFile(withInputs('docker-build-context: svc'), 'a')?.dockerfile).toBe('svc/Dockerfile');
    expect(inspectWorkflowFile(withInputs('docker-build-file: ../../etc/passwd'), 'a')?.dockerfile).toBeUndefined();
    expect(inspectWorkflowFile(withInputs('x: 1'), 'a')?.dockerfile).toBeUndefined();
  });

  it('finds image-name inputs of jobs and steps, and the workflow_dispatch trigger in any spelling', () => {
    expect(inspectWorkflowFile(buildWorkflow('x', 'cray-smd'), 'a.yaml')).toEqual({
      imageNames: ['cray-smd'],
      dispatchable: true,
      dockerfile: 'Dockerfile'
    });
    expect(inspectWorkflowFile('on: [push, workflow_dispatch]\njobs:\n  b:\n    steps:\n      - with: { image-name: a }\n', 'b')).toEqual({
      imageNames: ['a'],
      dispatchable: true
    });
    expect(inspectWorkflowFile('on: workflow_dispatch\n', 'c')).toEqual({ imageNames: [], dispatchable: true });
    expect(inspectWorkflowFile('on:\n  push: {}\n', 'd')).toEqual({ imageNames: [], dispatchable: false });
    expect(inspectWorkflowFile('on: [', 'e')).toEqual({
      imageNames: [],
      dispatchable: false,
      unreadable: 'not valid YAML: unexpected end of the stream within a flow collection at line 1, column 6'
    });
  });
});

describe('chooseWorkflow', () => {
  it("reads the name rule's workflow first and stops when its image-name matches", async () => {
    const files = reader({ 1: buildWorkflow(service.name, 'cray-smd'), 2: buildWorkflow(ct.name, 'cray-smd-test') });
    expect(await chooseWorkflow([lint, ct, service], 'cray-smd', undefined, files.read)).toEqual({
      ok: true,
      workflow: service,
      how: 'image-name',
      dockerfile: 'Dockerfile'
    });
    expect(files.reads).toEqual([1]);
    const test = reader({ 1: buildWorkflow(service.name, 'cray-smd'), 2: buildWorkflow(ct.name, 'cray-smd-test') });
    expect(await chooseWorkflow([lint, ct, service], 'cray-smd-test', undefined, test.read)).toMatchObject({ ok: true, workflow: ct });
    expect(test.reads).toEqual([2]);
  });

  it('finds an image built by a workflow with another name through its image-name', async () => {
    const files = reader({ 1: buildWorkflow(service.name, 'cray-other'), 4: buildWorkflow(custom.name, 'cray-smd'), 3: 'on: push\n' });
    expect(await chooseWorkflow([service, lint, custom], 'cray-smd', undefined, files.read)).toEqual({
      ok: true,
      workflow: custom,
      how: 'image-name',
      dockerfile: 'Dockerfile'
    });
  });

  it("falls back to the original tool's names when no file names the image", async () => {
    const files = reader({ 1: 'on: [push, workflow_dispatch]\njobs: { build: { runs-on: x } }\n', 3: 'on: push\n' });
    expect(await chooseWorkflow([service, lint], 'cray-smd', undefined, files.read)).toEqual({
      ok: true,
      workflow: service,
      how: 'workflow-name'
    });
    expect(workflowNamesFor('hms-test')).toEqual(['Build and Publish hms-test Docker image']);
  });

  it('refuses a workflow without workflow_dispatch at the tag, and says when nothing builds the image', async () => {
    const old = reader({ 1: buildWorkflow(service.name, 'cray-smd', false) });
    expect(await chooseWorkflow([service], 'cray-smd', undefined, old.read)).toEqual({
      ok: false,
      workflow: service,
      reason:
        'workflow "Build and Publish Service Docker Images" (.github/workflows/build_and_release_image.yaml) has no workflow_dispatch trigger at this tag'
    });
    const none = reader({ 3: 'on: push\n' });
    const result = await chooseWorkflow([lint], 'cray-smd', undefined, none.read);
    expect(result).toEqual({
      ok: false,
      reason:
        'no workflow builds image cray-smd: none has image-name cray-smd and none is named "Build and Publish Service Docker Images" or "Build and Publish Docker Images"'
    });
  });

  it('uses a configured override by name or file, and ignores disabled workflows', async () => {
    const overrides = [{ 'github-repo': 'hms-smd', workflow: 'images.yml' }];
    expect(findOverride(overrides, 'hms-bss', 'cray-bss')).toBeUndefined();
    const override = findOverride(overrides, 'hms-smd', 'cray-smd');
    const files = reader({ 4: 'on: workflow_dispatch\n' });
    expect(await chooseWorkflow([service, custom], 'cray-smd', override, files.read)).toEqual({
      ok: true,
      workflow: custom,
      how: 'override'
    });
    expect(files.reads).toEqual([4]);
    const disabled = { ...custom, state: 'disabled_manually' };
    expect(await chooseWorkflow([disabled], 'cray-smd', override, files.read)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not an active workflow')
    });
  });
});
