import { ConfigError } from '../../kernel/errors.js';

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Validates a ClickHouse database name (CH_DATABASE); a ConfigError names the variable otherwise. */
export function validateDatabaseName(name: string, variable = 'CH_DATABASE'): string {
  if (!DATABASE_NAME.test(name)) {
    throw new ConfigError(
      `${variable}: expected a database name of 1 to 63 letters, digits or '_' not starting with a digit; got '${name.slice(0, 70)}'`,
    );
  }
  return name;
}

/** A ClickHouse single-quoted string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\0/g, '\\0')}'`;
}

/** Replaces every `{db}` placeholder of a migration with the (validated) database name. */
export function substituteDatabase(sql: string, database: string): string {
  return sql.replace(/\{db\}/g, validateDatabaseName(database));
}
