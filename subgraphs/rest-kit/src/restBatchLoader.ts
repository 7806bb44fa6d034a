// The DataLoader every REST-wrapping subgraph puts in front of a batch endpoint (`GET /things?ids=a,b`):
// all lookups of one GraphQL request become ONE REST call (chunks of `maxBatchSize`), an id the service
// does not return is NOT_FOUND at its own path, and a failed call (5xx, timeout, refused, garbage) gives
// each lookup the mapped error while the rest of the response resolves. Create one per request (in
// createContext), so a batch and its cache never serve another caller.
import DataLoader from 'dataloader';
import { graphQLErrorFromRest } from './restErrorMapping.js';

export interface RestBatchLoaderOptions<T> {
  /** One REST call for these (well-formed) ids; returns the records found, in any order. */
  fetchBatch(ids: readonly string[]): Promise<readonly T[]>;
  /** The id of a returned record, to match it to its lookup. */
  idOf(record: T): string;
  /** The NOT_FOUND error for an id the service did not return. */
  notFound(id: string): Error;
  /** The service's id syntax: an id that cannot exist is not found, without failing (400) the batch it is in. */
  idPattern: RegExp;
  /** The service's batch limit. */
  maxBatchSize: number;
}

export function createRestBatchLoader<T>(options: RestBatchLoaderOptions<T>): DataLoader<string, T> {
  const loadBatch = async (ids: readonly string[]): Promise<(T | Error)[]> => {
    const wellFormed = ids.filter((id) => options.idPattern.test(id));
    if (wellFormed.length === 0) return ids.map((id) => options.notFound(id));
    try {
      const records = await options.fetchBatch(wellFormed);
      const byId = new Map(records.map((record) => [options.idOf(record), record]));
      return ids.map((id) => byId.get(id) ?? options.notFound(id));
    } catch (error) {
      const mapped = graphQLErrorFromRest(error);
      return ids.map(() => (mapped instanceof Error ? mapped : new Error(String(mapped))));
    }
  };
  return new DataLoader(loadBatch, { maxBatchSize: options.maxBatchSize });
}
