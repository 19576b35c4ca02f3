// Written by scripts/schema-modules.mjs from plan.schema.json: edit the schema, then run `npm run schemas`.
export const planSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/Cray-HPE/hms-build-workflow-dispatcher/plan.schema.json',
  title: 'hms-build-workflow-dispatcher plan',
  description:
    'Every decision of a run before anything is dispatched: the images of each release branch, the builds that rebuild them (workflow, git tag, commit), and the images that get no build, with why. Written by `plan-file`, read by `from-plan`.',
  type: 'object',
  required: ['version', 'createdAt', 'org', 'productStreamRepo', 'branches', 'repos'],
  additionalProperties: false,
  properties: {
    version: {
      const: 3,
      description: "The format's version; readers refuse others (2 added each build's Dockerfile and rebuild decision)."
    },
    createdAt: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
      description: 'When planning ended (ISO 8601, UTC).'
    },
    shard: {
      type: 'object',
      description: 'Present when the file holds one shard of a plan (`shard: K/N`).',
      required: ['index', 'count'],
      additionalProperties: false,
      properties: {
        index: {
          type: 'integer',
          minimum: 1
        },
        count: {
          type: 'integer',
          minimum: 1
        }
      }
    },
    org: {
      type: 'string',
      minLength: 1
    },
    productStreamRepo: {
      type: 'string',
      minLength: 1
    },
    branches: {
      type: 'array',
      description: 'The product stream branches read, in configured order.',
      items: {
        type: 'object',
        required: ['branch', 'commit', 'images'],
        additionalProperties: false,
        properties: {
          branch: {
            type: 'string'
          },
          commit: {
            type: 'string'
          },
          images: {
            type: 'integer',
            minimum: 0,
            description: 'Image references found on the branch.'
          }
        }
      }
    },
    repos: {
      type: 'array',
      items: {
        type: 'object',
        required: ['githubRepo', 'images', 'builds'],
        additionalProperties: false,
        properties: {
          githubRepo: {
            type: 'string',
            minLength: 1
          },
          images: {
            type: 'array',
            items: {
              $ref: '#/definitions/image'
            }
          },
          builds: {
            type: 'array',
            items: {
              $ref: '#/definitions/build'
            }
          }
        }
      }
    },
    problems: {
      description:
        'What planning reported besides the gaps: passed on by a job that dispatches the plan from a file, reported by the report of a sharded run.',
      type: 'array',
      items: {
        $ref: '#/definitions/problem'
      }
    }
  },
  definitions: {
    image: {
      type: 'object',
      required: ['githubRepo', 'fullImage', 'repository', 'name', 'tag', 'gitTag', 'branches', 'sources', 'state'],
      additionalProperties: false,
      properties: {
        githubRepo: {
          type: 'string'
        },
        fullImage: {
          type: 'string',
          description: 'registry/path/name:tag'
        },
        repository: {
          type: 'string'
        },
        name: {
          type: 'string'
        },
        tag: {
          type: 'string'
        },
        gitTag: {
          type: 'string'
        },
        commit: {
          type: 'string'
        },
        branches: {
          type: 'array',
          items: {
            type: 'string'
          }
        },
        sources: {
          type: 'array',
          items: {
            $ref: '#/definitions/source'
          }
        },
        state: {
          enum: ['resolved', 'unresolved'],
          description: 'resolved: one build of its repo builds it; unresolved: it gets no build, and reason says why.'
        },
        reason: {
          type: 'string'
        },
        releaseUrl: {
          type: 'string'
        }
      }
    },
    source: {
      oneOf: [
        {
          type: 'object',
          required: ['kind', 'branch', 'file'],
          additionalProperties: false,
          properties: {
            kind: {
              const: 'docker-index'
            },
            branch: {
              type: 'string'
            },
            file: {
              type: 'string'
            }
          }
        },
        {
          type: 'object',
          required: ['kind', 'branch', 'file', 'chart', 'version', 'releaseName'],
          additionalProperties: false,
          properties: {
            kind: {
              const: 'chart'
            },
            branch: {
              type: 'string'
            },
            file: {
              type: 'string'
            },
            chart: {
              type: 'string'
            },
            version: {
              type: 'string'
            },
            releaseName: {
              type: 'string'
            }
          }
        },
        {
          type: 'object',
          required: ['kind', 'repo'],
          additionalProperties: false,
          properties: {
            kind: {
              const: 'git-tag'
            },
            repo: {
              type: 'string'
            }
          }
        }
      ]
    },
    build: {
      type: 'object',
      required: ['githubRepo', 'gitTag', 'commit', 'workflow', 'chosenBy', 'images'],
      additionalProperties: false,
      properties: {
        githubRepo: {
          type: 'string'
        },
        gitTag: {
          type: 'string'
        },
        commit: {
          type: 'string'
        },
        workflow: {
          type: 'object',
          required: ['id', 'name', 'path'],
          additionalProperties: false,
          properties: {
            id: {
              type: 'integer'
            },
            name: {
              type: 'string'
            },
            path: {
              type: 'string'
            }
          }
        },
        chosenBy: {
          enum: ['image-name', 'workflow-name', 'override'],
          description:
            "image-name: the workflow file at the tag names the image; workflow-name: the original tool's name rule; override: workflow-overrides."
        },
        images: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'string'
          },
          description: 'fullImage of each image it builds.'
        },
        dockerfile: {
          type: 'string',
          description: 'The Dockerfile the workflow builds, from its docker-build-file or docker-build-context input.'
        },
        decision: {
          type: 'object',
          required: ['rebuild', 'why', 'images', 'bases'],
          additionalProperties: false,
          description:
            'With rebuild: when-outdated: whether to dispatch the build, why, and what the registry said (images and every base of its Dockerfile).',
          properties: {
            rebuild: {
              type: 'boolean'
            },
            why: {
              type: 'string'
            },
            reasons: {
              type: 'array',
              items: {
                type: 'string'
              },
              minItems: 2,
              description:
                'Every reason to rebuild that holds, in the order they are weighed; `why` is the first. Present when more than one holds.'
            },
            images: {
              type: 'array',
              items: {
                $ref: '#/definitions/evidence'
              }
            },
            bases: {
              type: 'array',
              items: {
                $ref: '#/definitions/evidence'
              }
            },
            packages: {
              type: 'object',
              additionalProperties: false,
              required: ['modelled', 'upgrades', 'unmodelled'],
              description:
                "What a rebuild would install (rebuild: when-outdated): the image's packages against its distribution's index. Modelled when every package a rebuild may move is known; then max-age no longer rebuilds it.",
              properties: {
                modelled: {
                  type: 'boolean'
                },
                why: {
                  type: 'string',
                  description: 'Why it is not modelled (a layer that cannot be read, an index that cannot be read).'
                },
                distribution: {
                  enum: ['alpine', 'debian', 'ubuntu']
                },
                release: {
                  type: 'string',
                  description: "etc/alpine-release (3.22.2), or os-release's VERSION_ID (12, 22.04)"
                },
                layer: {
                  type: 'string',
                  description: 'The layer that last wrote the package database.'
                },
                classification: {
                  enum: ['upgrade', 'add-only', 'none']
                },
                upgrades: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['name', 'installed', 'available', 'fixes'],
                    properties: {
                      name: {
                        type: 'string'
                      },
                      installed: {
                        type: 'string'
                      },
                      available: {
                        type: 'string'
                      },
                      fixes: {
                        type: 'array',
                        items: {
                          type: 'string'
                        }
                      }
                    }
                  }
                },
                unmodelled: {
                  type: 'array',
                  items: {
                    type: 'string'
                  },
                  description: 'Steps of the Dockerfile that fetch what no index models.'
                },
                frozen: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['branch', 'eol', 'cves'],
                  description:
                    "The image's branch is past its end of life: the CVEs the newest supported branch fixes for packages it holds, which no rebuild can fix.",
                  properties: {
                    branch: {
                      type: 'string'
                    },
                    eol: {
                      type: 'string'
                    },
                    cves: {
                      type: 'array',
                      items: {
                        type: 'string'
                      }
                    }
                  }
                },
                floating: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['base', 'now', 'built'],
                  description:
                    "The final base's tag floats (alpine:3) and now resolves to another branch than the image was built on: a rebuild moves it.",
                  properties: {
                    base: {
                      type: 'string'
                    },
                    now: {
                      type: 'string',
                      description: 'The branch the base resolves to now (3.23).'
                    },
                    built: {
                      type: 'string',
                      description: 'The branch the image was built on (3.22).'
                    }
                  }
                }
              }
            }
          }
        }
      }
    },
    problem: {
      type: 'object',
      additionalProperties: false,
      required: ['severity', 'message'],
      properties: {
        severity: {
          enum: ['error', 'warning', 'notice']
        },
        message: {
          type: 'string'
        },
        where: {
          type: 'object',
          additionalProperties: false,
          properties: {
            file: {
              type: 'string'
            },
            branch: {
              type: 'string'
            },
            yamlPath: {
              type: 'string'
            },
            repo: {
              type: 'string'
            },
            chart: {
              type: 'string'
            },
            tag: {
              type: 'string'
            },
            image: {
              type: 'string'
            }
          }
        },
        followUp: {
          type: 'boolean'
        },
        kind: {
          type: 'string',
          maxLength: 200,
          description: 'A readable heading for every problem of its kind; the message holds the specifics.'
        }
      }
    },
    evidence: {
      type: 'object',
      required: ['reference'],
      additionalProperties: false,
      properties: {
        reference: {
          type: 'string'
        },
        digest: {
          type: 'string'
        },
        created: {
          type: 'string'
        },
        baseDigest: {
          type: 'string'
        }
      }
    }
  }
} as const;
