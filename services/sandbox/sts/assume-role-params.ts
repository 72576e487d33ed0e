import { type AssumeRoleRequest, DURATION_SECONDS } from './sts-state.js';

/**
 * AssumeRole's parameters from a Query request, checked as STS checks them: RoleArn 20–2048
 * characters, RoleSessionName 2–64 of `[\w+=,.@-]`, ExternalId 2–1224 of `[\w+=,.@:/-]`,
 * DurationSeconds 900–43200. A bad one is STS's `ValidationError` with its wording
 * ("1 validation error detected: Value … at 'roleSessionName' failed to satisfy constraint: …");
 * a missing required one is `MissingParameter`.
 */

export type ParamsProblem = {
  readonly code: 'ValidationError' | 'MissingParameter';
  readonly message: string;
};

interface Field {
  readonly param: string;
  readonly member: string;
  readonly min: number;
  readonly max: number;
  readonly pattern?: { readonly regex: RegExp; readonly text: string };
}

const FIELDS: readonly Field[] = [
  { param: 'RoleArn', member: 'roleArn', min: 20, max: 2048 },
  {
    param: 'RoleSessionName',
    member: 'roleSessionName',
    min: 2,
    max: 64,
    pattern: { regex: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' },
  },
  {
    param: 'ExternalId',
    member: 'externalId',
    min: 2,
    max: 1224,
    pattern: { regex: /^[\w+=,.@:/-]*$/, text: '[\\w+=,.@:/-]*' },
  },
];

export function assumeRoleParams(form: URLSearchParams): AssumeRoleRequest | ParamsProblem {
  for (const required of ['RoleArn', 'RoleSessionName'])
    if (!form.has(required))
      return {
        code: 'MissingParameter',
        message: `The request must contain the parameter ${required}`,
      };
  const problems: string[] = [];
  for (const f of FIELDS) {
    const value = form.get(f.param);
    if (value === null) continue;
    const shown = `Value '${value}' at '${f.member}' failed to satisfy constraint: Member must`;
    if (value.length < f.min)
      problems.push(`${shown} have length greater than or equal to ${f.min}`);
    else if (value.length > f.max)
      problems.push(`${shown} have length less than or equal to ${f.max}`);
    else if (f.pattern && !f.pattern.regex.test(value))
      problems.push(`${shown} satisfy regular expression pattern: ${f.pattern.text}`);
  }
  const duration = form.get('DurationSeconds');
  const seconds = duration === null ? undefined : Number(duration);
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= DURATION_SECONDS.min))
    problems.push(
      `Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${DURATION_SECONDS.min}`,
    );
  else if (seconds !== undefined && seconds > DURATION_SECONDS.max)
    problems.push(
      `Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${DURATION_SECONDS.max}`,
    );
  if (problems.length > 0)
    return {
      code: 'ValidationError',
      message: `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`,
    };
  const externalId = form.get('ExternalId');
  return {
    roleArn: form.get('RoleArn') as string,
    sessionName: form.get('RoleSessionName') as string,
    ...(externalId !== null ? { externalId } : {}),
    ...(seconds !== undefined ? { durationSeconds: seconds } : {}),
  };
}
