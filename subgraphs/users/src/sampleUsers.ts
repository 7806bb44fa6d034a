// Deterministic sample users `user-1` .. `user-60`: seeded, so every run and every machine has the same
// names, emails and dates (tests and the README check answers against this data).
import { createSeededRandom } from '@federation-gateway/subgraph-kit';

export interface UserRecord {
  id: string;
  name: string;
  /** Null for users without an email on file (every 12th user), to exercise the nullable field. */
  email: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
}

export const SAMPLE_USER_COUNT = 60;
const SEED = 0x05e75;
/** Sign-ups start here and follow every 1..5 days. */
const FIRST_SIGNUP_MS = Date.UTC(2024, 0, 3, 9, 0, 0);
const DAY_MS = 24 * 60 * 60 * 1000;

const FIRST_NAMES = [
  'Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Radia',
  'Edsger', 'Frances', 'Donald', 'Hedy', 'Tim', 'Shafi', 'John', 'Sophie', 'Niklaus', 'Annie',
  'Leslie', 'Mary', 'Bjarne', 'Jean', 'Guido', 'Lynn', 'Yukihiro', 'Karen', 'James', 'Evelyn',
] as const;
const LAST_NAMES = [
  'Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson',
  'Perlman', 'Dijkstra', 'Allen', 'Knuth', 'Lamarr', 'Berners-Lee', 'Goldwasser', 'McCarthy', 'Wilson',
  'Wirth', 'Easley', 'Lamport', 'Keller', 'Stroustrup', 'Bartik', 'van Rossum', 'Conway', 'Matsumoto',
  'Sparck Jones', 'Gosling', 'Boyd',
] as const;

function emailLocalPart(first: string, last: string): string {
  return `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
}

export function generateSampleUsers(count = SAMPLE_USER_COUNT): UserRecord[] {
  const random = createSeededRandom(SEED);
  const users: UserRecord[] = [];
  let signupMs = FIRST_SIGNUP_MS;
  for (let index = 1; index <= count; index += 1) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    signupMs += random.int(1, 5) * DAY_MS + random.int(0, 23 * 60) * 60 * 1000;
    users.push({
      id: `user-${index}`,
      name: `${first} ${last}`,
      email: index % 12 === 0 ? null : `${emailLocalPart(first, last)}${index}@example.com`,
      createdAt: new Date(signupMs).toISOString(),
    });
  }
  return users;
}
