// Config of trusted documents (a safelist of operations); the gateway config embeds it under `trustedDocuments`.
import { z } from 'zod';

export const trustedDocumentsConfigSchema = z
  .object({
    /**
     * off: every operation runs (with a manifest, clients may still send only an operation's id);
     * log-unknown: every operation runs, and one that is not in the manifest is logged
     * (`trusted_document_unknown`) and counted; enforce: an operation runs only when sent by id or when its
     * text is a manifest operation's (whitespace and comments aside); anything else is refused with
     * 400 PERSISTED_QUERY_NOT_IN_LIST before it is parsed. @default "off"
     */
    mode: z.enum(['off', 'log-unknown', 'enforce']).default('off'),
    /**
     * Path of the manifest: Apollo's persisted-query manifest (`{"format":"apollo-persisted-query-manifest",
     * "version":1,"operations":[{"id","name","type","body"}]}`) or Relay's (`{"<id>": "<body>"}`).
     * Required by log-unknown and enforce.
     */
    manifest: z.string().min(1).optional(),
    /** Reload the manifest when the file changes (an invalid new file is logged; the old list stays). @default true */
    watch: z.boolean().default(true),
    /** How often the manifest file is polled for changes, in ms. @default 1000 */
    pollIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
  })
  .strict()
  .refine((config) => config.mode === 'off' || config.manifest !== undefined, {
    message: 'log-unknown and enforce need a manifest file',
    path: ['manifest'],
  });

export type TrustedDocumentsConfig = z.infer<typeof trustedDocumentsConfigSchema>;
