/**
 * The validator: zod's `mini` build, which tree-shakes to the schemas used (about 15 KB of the Lambda
 * bundle instead of 450 KB for the full build with every locale, about 30 ms of each cold start),
 * with the English messages the full build sets by default. Import it as a namespace
 * (`import * as z from './schema'`) so that the bundler keeps only what is used.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
