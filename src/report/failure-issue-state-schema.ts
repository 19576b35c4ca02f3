// Written by scripts/schema-modules.mjs from failure-issue-state.schema.json: edit the schema, then run `npm run schemas`.
export const failureIssueStateSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/Cray-HPE/hms-build-workflow-dispatcher/failure-issue-state.schema.json',
  title: "State kept in the failure issue's body",
  type: 'object',
  required: ['version', 'productStream', 'lastRun', 'failures'],
  properties: {
    version: {
      const: 1
    },
    productStream: {
      type: 'string',
      maxLength: 300
    },
    lastRun: {
      type: 'string',
      maxLength: 100
    },
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'kind', 'what', 'since', 'nights'],
        properties: {
          key: {
            type: 'string',
            maxLength: 2000
          },
          kind: {
            enum: ['build', 'not-dispatched', 'planning', 'stale-base', 'frozen']
          },
          what: {
            type: 'string',
            maxLength: 2000
          },
          url: {
            type: 'string',
            maxLength: 2000,
            pattern: '^https?://'
          },
          since: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}$'
          },
          nights: {
            type: 'integer',
            minimum: 1,
            maximum: 100000
          }
        },
        additionalProperties: false
      },
      maxItems: 5000
    }
  },
  additionalProperties: false
} as const;
