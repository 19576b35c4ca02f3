// Written by scripts/schema-modules.mjs from results.schema.json: edit the schema, then run `npm run schemas`.
export const resultsSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/Cray-HPE/hms-build-workflow-dispatcher/results.schema.json',
  title: 'hms-build-workflow-dispatcher results file',
  description: 'What one job dispatched and how each build ended (results-file); merge-results reads several.',
  type: 'object',
  required: ['version', 'org', 'productStreamRepo', 'planCreatedAt', 'branches', 'results'],
  properties: {
    version: {
      const: 1
    },
    org: {
      type: 'string'
    },
    productStreamRepo: {
      type: 'string'
    },
    planCreatedAt: {
      type: 'string'
    },
    shard: {
      type: 'object',
      required: ['index', 'count'],
      properties: {
        index: {
          type: 'integer',
          minimum: 1
        },
        count: {
          type: 'integer',
          minimum: 1
        }
      },
      additionalProperties: false
    },
    branches: {
      type: 'array',
      items: {
        type: 'object',
        required: ['branch'],
        properties: {
          branch: {
            type: 'string'
          }
        },
        additionalProperties: false
      }
    },
    notes: {
      type: 'array',
      items: {
        type: 'string'
      }
    },
    problems: {
      type: 'array',
      description: "The plan's problems, passed on to the report job of a sharded run.",
      items: {
        $ref: '#/definitions/problem'
      }
    },
    releases: {
      type: 'array',
      items: {
        type: 'object',
        required: ['branch', 'images'],
        properties: {
          branch: {
            type: 'string'
          },
          images: {
            type: 'integer',
            minimum: 0
          }
        },
        additionalProperties: {
          type: 'integer',
          minimum: 0
        }
      }
    },
    results: {
      type: 'array',
      items: {
        $ref: '#/definitions/result'
      }
    }
  },
  definitions: {
    result: {
      type: 'object',
      required: ['githubRepo', 'image', 'fullImage', 'tag', 'gitTag', 'branches', 'outcome'],
      properties: {
        githubRepo: {
          type: 'string'
        },
        image: {
          type: 'string'
        },
        fullImage: {
          type: 'string'
        },
        tag: {
          type: 'string'
        },
        gitTag: {
          type: 'string'
        },
        branches: {
          type: 'array',
          items: {
            type: 'string'
          }
        },
        releaseUrl: {
          type: 'string'
        },
        via: {
          enum: ['dispatched', 'attached', 'shared', 'recent']
        },
        runId: {
          type: 'integer'
        },
        runUrl: {
          type: 'string'
        },
        outcome: {
          description: 'One row of src/report/outcomes.ts (a test keeps the two the same).',
          enum: [
            'succeeded',
            'succeeded-on-retry',
            'already-built',
            'up-to-date',
            'skipped',
            'acknowledged',
            'failed',
            'cancelled',
            'timed-out',
            'running',
            'unmatched',
            'not-dispatched'
          ]
        },
        reason: {
          type: 'string'
        },
        workflow: {
          type: 'object',
          required: ['id', 'name', 'path'],
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
        status: {
          type: 'string'
        },
        conclusion: {
          type: ['string', 'null']
        },
        attempts: {
          type: 'array',
          items: {
            type: 'object',
            required: ['attempt', 'conclusion', 'url'],
            properties: {
              attempt: {
                type: 'integer',
                minimum: 1
              },
              conclusion: {
                type: ['string', 'null']
              },
              url: {
                type: 'string'
              }
            }
          }
        },
        why: {
          type: 'string',
          description: "Why the build was dispatched (the rebuild decision's reason, or `rebuild: always`)."
        },
        failedJobs: {
          type: 'array',
          maxItems: 20,
          description: "A failed build's failed jobs, each with its first failed step, read from the run's jobs.",
          items: {
            type: 'object',
            required: ['name', 'url'],
            additionalProperties: false,
            properties: {
              name: {
                type: 'string'
              },
              step: {
                type: 'string'
              },
              url: {
                type: 'string'
              }
            }
          }
        },
        verification: {
          type: 'object',
          additionalProperties: false,
          required: ['state'],
          description:
            'A build dispatched for package upgrades, read again after it succeeded: whether the rebuilt image holds the upgrades its decision predicted.',
          properties: {
            state: {
              enum: ['verified', 'missing', 'unknown'],
              description:
                'verified: every predicted upgrade landed; missing: some did not (the image is still outdated, and the next night dispatches it again); unknown: the rebuilt image could not be read.'
            },
            missing: {
              type: 'array',
              maxItems: 50,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'expected'],
                properties: {
                  name: {
                    type: 'string'
                  },
                  expected: {
                    type: 'string'
                  },
                  found: {
                    type: 'string'
                  }
                }
              }
            },
            why: {
              type: 'string',
              description: 'Why it is unknown.'
            }
          }
        }
      },
      additionalProperties: false
    },
    problem: {
      type: 'object',
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
          description:
            'A readable heading for every problem of its kind (`Base images no longer republished`); the message holds the specifics. Problems without one are grouped by their message.'
        }
      },
      additionalProperties: false
    }
  },
  additionalProperties: false
} as const;
