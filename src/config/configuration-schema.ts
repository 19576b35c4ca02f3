// Written by scripts/schema-modules.mjs from configuration.schema.json: edit the schema, then run `npm run schemas`.
export const configurationSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/Cray-HPE/hms-build-workflow-dispatcher/configuration.schema.json',
  title: 'hms-build-workflow-dispatcher configuration',
  description:
    'Which product stream branches to read, which images and Helm charts in them to rebuild, and how to dispatch and monitor the builds.',
  type: 'object',
  additionalProperties: false,
  required: ['configuration'],
  properties: {
    'helm-repo-lookup': {
      description:
        "Where each Helm chart lives in the chart repository. Download URL: <source_override or the manifest's chart source location>/<path>/<chart>-<version>.tgz.",
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['chart', 'path'],
        properties: {
          chart: {
            type: 'string',
            minLength: 1,
            description: 'Chart name as the loftsman manifests name it.'
          },
          path: {
            type: 'string',
            description: 'Folder of the chart in the chart repository, for example stable/cray-hms-bss.'
          },
          source_override: {
            type: 'string',
            minLength: 1,
            description: "Chart repository URL to use instead of the manifest's chart source location."
          }
        }
      }
    },
    'github-repo-image-lookup': {
      description: 'The GitHub repository that builds each image found in the docker index.',
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['github-repo', 'image'],
        properties: {
          'github-repo': {
            type: 'string',
            minLength: 1,
            description: 'Repository name in the organization.'
          },
          image: {
            type: 'string',
            minLength: 1,
            description: 'Image short name (last path segment, no tag).'
          }
        }
      }
    },
    'docker-image-compare': {
      description: 'A partial tree of the docker index: every leaf list holding find_me selects the tags at the same path in the index.',
      type: 'object',
      default: {},
      additionalProperties: {
        $ref: '#/definitions/compareNode'
      }
    },
    'non-manifest-images': {
      description: 'Images that no manifest names: every git tag of the repo matching tag-regex is an image tag to rebuild.',
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['github-repo', 'tag-regex', 'image_repo'],
        properties: {
          'github-repo': {
            type: 'string',
            minLength: 1
          },
          'tag-regex': {
            type: 'string',
            minLength: 1,
            description: 'Regular expression matched at the start of each git tag.'
          },
          image_repo: {
            type: 'string',
            minLength: 1,
            description: 'Full image name without tag.'
          }
        }
      }
    },
    'workflow-overrides': {
      description: 'Which workflow builds an image, where reading the workflow files does not tell. First match wins.',
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['workflow'],
        properties: {
          'github-repo': {
            type: 'string',
            minLength: 1
          },
          image: {
            type: 'string',
            minLength: 1,
            description: 'Image short name.'
          },
          workflow: {
            type: 'string',
            minLength: 1,
            description: 'Workflow name or file name (for example build_and_release_image.yaml).'
          }
        }
      }
    },
    acknowledged: {
      description:
        "What a person has looked at and accepts until a day: gaps (`image`: an image a release ships that cannot be rebuilt at its tag: no such tag, no workflow for it, or no workflow_dispatch at the tag), and base images no longer republished (`base`, as the warning names it). An acknowledged gap is a notice until the day after `until`, when it is an error again; an acknowledged base is a notice, and leaves the failure issue's follow-ups, until then.",
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['reason', 'until'],
        properties: {
          image: {
            type: 'string',
            pattern: '^[^/:\\s]+:[^/:\\s]+$',
            description: 'Image name and tag without the registry path, e.g. cray-smd:1.20.10.'
          },
          base: {
            type: 'string',
            minLength: 1,
            maxLength: 300,
            description: 'A base image no longer republished, as the warning names it (alpine:3.15).'
          },
          'github-repo': {
            type: 'string',
            minLength: 1,
            description: 'Only the image of this repo (when two repos publish the same name).'
          },
          reason: {
            type: 'string',
            minLength: 1,
            description: 'Why it is acceptable for now: shown beside the gap.'
          },
          until: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}$',
            description: 'Last day (UTC, YYYY-MM-DD) the acknowledgement holds.'
          }
        },
        oneOf: [
          {
            required: ['image']
          },
          {
            required: ['base']
          }
        ]
      }
    },
    configuration: {
      type: 'object',
      additionalProperties: false,
      required: ['product-stream-repo'],
      properties: {
        org: {
          type: 'string',
          minLength: 1,
          description: 'GitHub organization. Default: the owner of GITHUB_REPOSITORY.'
        },
        'product-stream-repo': {
          type: 'string',
          minLength: 1,
          description: 'Repository whose branches hold the release manifests.'
        },
        'targeted-branches': {
          type: 'array',
          items: {
            type: 'string',
            minLength: 1
          },
          default: []
        },
        'targeted-branch-regexes': {
          type: 'array',
          items: {
            type: 'string',
            minLength: 1
          },
          default: [],
          description: 'Regular expressions matched at the start of each branch name.'
        },
        'docker-image-manifest': {
          type: 'string',
          minLength: 1,
          default: 'docker/index.yaml'
        },
        'helm-manifest-directory': {
          type: 'string',
          minLength: 1,
          default: 'manifests'
        },
        'target-chart-regex': {
          type: 'string',
          minLength: 1,
          default: 'cray-hms-.*',
          description: 'Charts whose name matches (at the start) are rendered.'
        },
        'sleep-duration-seconds': {
          type: 'number',
          exclusiveMinimum: 0,
          default: 30,
          description: 'Seconds between two polls of the runs.'
        },
        'time-limit-minutes': {
          type: 'number',
          exclusiveMinimum: 0,
          default: 60,
          description: 'How long to wait for the builds.'
        },
        'webhook-sleep-seconds': {
          type: 'number',
          minimum: 0,
          default: 10,
          description: 'How long a dispatched run may take to appear when the server does not return run details.'
        },
        'log-level': {
          type: 'string',
          enum: ['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL'],
          default: 'INFO'
        },
        'max-parallel': {
          type: 'integer',
          minimum: 1,
          default: 10,
          description: 'Builds in flight at once.'
        },
        'attach-to-running-builds': {
          type: 'boolean',
          default: true,
          description: 'Watch a queued or running build of the same workflow and tag instead of dispatching again.'
        },
        'cancel-on-timeout': {
          type: 'boolean',
          default: false,
          description: 'Cancel the runs still going when the time limit passes.'
        },
        timeouts: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Deadlines of network operations: a server that gives no answer within them ends the job with an error naming it.',
          properties: {
            'github-api-seconds': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 60,
              description:
                'Each GitHub API request (REST and GraphQL), answer body included. A read that gets no answer is tried 3 times in all.'
            },
            'git-stall-seconds': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 60,
              description: 'A git command that transfers less than 1 KB/s for this long is stopped.'
            },
            'chart-download-seconds': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 120,
              description: 'Each chart archive download, body included.'
            },
            'helm-template-seconds': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 120,
              description: 'Each helm template run.'
            },
            'registry-seconds': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 30,
              description:
                'Each image registry request (rebuild: when-outdated), answer body included. A registry that gives no answer is asked nothing more this run: its images are rebuilt, with a warning.'
            },
            'package-index-seconds': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 60,
              description:
                'Each read of a package index, security database or releases.json (rebuild: when-outdated), body included. One that cannot be read leaves its images unmodelled (dates decide), with one warning naming it.'
            }
          }
        },
        limits: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description:
            'Bounds on what repositories and servers hold (chart archives, helm, planning): past one, the run reports an error naming the bound and goes on where it safely can.',
          properties: {
            'chart-download-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 20,
              description: 'Bytes downloaded of one chart archive.'
            },
            'chart-unpacked-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 50,
              description: 'Bytes one chart archive inflates to, all its files together.'
            },
            'chart-file-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 20,
              description: 'Bytes of one file in a chart archive.'
            },
            'helm-memory-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 2048,
              description: 'Address space of one helm run (prlimit, where the runner has it).'
            },
            'helm-output-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 64,
              description: 'Rendered output of one helm template run.'
            },
            'plan-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 32,
              description:
                'Bytes of a plan file (from-plan) or a results file (merge-results): a larger one is refused before it is parsed.'
            },
            'dockerfile-bases': {
              type: 'integer',
              minimum: 1,
              default: 50,
              description:
                "External bases read from the registry per Dockerfile (rebuild: when-outdated); past it, the build's bases are not known and it is rebuilt."
            },
            'chart-renders': {
              type: 'integer',
              minimum: 1,
              default: 1000,
              description: 'helm template runs in one planning; the releases past it are named and not rendered.'
            },
            'planning-minutes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 20,
              description: 'How long planning may take in all; past it the run reports the plan so far as partial.'
            },
            'layer-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 64,
              description:
                'Megabytes of one image layer read to find its package database (rebuild: when-outdated), compressed and decompressed; past it, the image is unmodelled.'
            },
            'package-index-megabytes': {
              type: 'number',
              exclusiveMinimum: 0,
              default: 64,
              description: 'Megabytes of one package index or security database, after decompression.'
            }
          }
        },
        'chart-credentials-required': {
          type: 'boolean',
          default: true,
          description:
            'The chart repository needs chart-repo-username and chart-repo-password: without them the run stops before any download (or plans without charts with skip-charts).'
        },
        'retry-failed-builds': {
          type: 'integer',
          minimum: 0,
          default: 1,
          description:
            'Re-runs of the failed jobs of a build that concludes failure (not cancelled, not timed out), while time remains; 0 turns it off.'
        },
        'render-script': {
          enum: ['skip', 'run', 'run-unisolated'],
          default: 'skip',
          description:
            "What to do with a product stream branch's render_templates.sh. skip: plan the branch as checked out, with one warning. run: run it as another user (sudo -n -u nobody, or setpriv as root) or in new namespaces (unshare), in a copy of the tree, where it cannot read this action's secrets; with no isolation available the run stops. run-unisolated: run it as the action's user: whoever can push to a targeted branch can then read the action's secrets."
        },
        rebuild: {
          enum: ['always', 'when-outdated'],
          default: 'always',
          description:
            'always: dispatch every planned build (as the original tool did). when-outdated: dispatch a build only when its image is missing, a base image it is built from was published after it (or moved from the digest it records), or it is older than max-age; the others are up-to-date. The input rebuild wins.'
        },
        'max-age': {
          type: 'string',
          pattern: '^(\\d+(\\.\\d+)?[smhd])+$',
          default: '7d',
          description:
            'With rebuild: when-outdated, an image older than this is rebuilt whatever its bases (12h, 7d). The input max-age wins.'
        },
        'stale-base-days': {
          type: 'number',
          exclusiveMinimum: 0,
          default: 180,
          description:
            'With rebuild: when-outdated, a base image not republished for longer than this is a warning (rebuilding on it picks up no fixes from it), once per base, listing the images built on it.'
        },
        'image-link-template': {
          type: 'string',
          pattern: '^https?://',
          description:
            "URL of an image's registry page; {repository}, {path}, {name} and {tag} are filled in. The summary links each image there."
        }
      }
    }
  },
  definitions: {
    compareNode: {
      anyOf: [
        {
          type: 'array',
          items: {
            type: 'string'
          },
          contains: {
            const: 'find_me'
          }
        },
        {
          type: 'object',
          additionalProperties: {
            $ref: '#/definitions/compareNode'
          }
        }
      ]
    }
  }
} as const;
