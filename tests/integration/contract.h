/* contract.h — openapi.yaml as the tests' oracle: YAML to jansson, a small JSON Schema
 * validator, and the check of one HTTP response against the operation that produced it.
 *
 * The validator knows what openapi.yaml uses: $ref (local "#/..." pointers, with sibling
 * keywords applied too), type (a name or an array of names; "integer" is a number without a
 * fraction), properties, required, additionalProperties, unevaluatedProperties (names
 * evaluated by properties, additionalProperties and the passing branches of $ref / allOf /
 * anyOf / oneOf), minProperties/maxProperties, items, minItems/maxItems, uniqueItems, enum,
 * const, allOf/anyOf/oneOf, not, minimum/maximum/exclusiveMinimum/exclusiveMaximum,
 * minLength/maxLength (in code points), pattern (POSIX extended regular expressions, which
 * cover the patterns the spec uses) and format date / date-time (their shape and ranges).
 * Other keywords (format int64, uri-reference, descriptions, examples...) are ignored. */
#ifndef GF_TEST_CONTRACT_H
#define GF_TEST_CONTRACT_H

#include <jansson.h>
#include <stddef.h>

/* Parses YAML text (one document; block and flow styles; no aliases or tags) into a new JSON
 * value. Plain scalars resolve as in YAML 1.2's core schema: null/~/empty → null,
 * true/false → boolean, integers and floats → numbers, the rest → strings; quoted scalars are
 * always strings. Returns NULL with a message in err on failure. */
json_t *contract_yaml_parse(const char *text, size_t len, char *err, size_t cap);

/* Reads and parses the YAML file at path. Returns a new value, or NULL with err. */
json_t *contract_yaml_load(const char *path, char *err, size_t cap);

/* Validates instance against schema; $refs resolve against root (the whole document).
 * Returns 0, or -1 with "POINTER: reason" in msg (POINTER is the JSON pointer of the
 * offending value, "" for the root). */
int contract_validate(const json_t *root, const json_t *schema, const json_t *instance, char *msg,
                      size_t cap);

/* Checks one response against spec (the parsed openapi.yaml): finds the operation by method
 * and path (templated paths match any non-empty segment; the query string is ignored), the
 * response for status (exact, then "4XX"-style, then "default") and validates body (NULL when
 * the response had no JSON body; raw_len is the raw body length); a text/csv answer
 * (content_type, which may be NULL) must be documented as text/csv. A path or method the spec
 * does not describe is accepted only for an error status, whose body must then fit the Error
 * schema. Returns 0, or -1 with a message naming the operation, the status and the JSON
 * pointer of the offending value. */
int contract_check_response(const json_t *spec, const char *method, const char *path, long status,
                            const char *content_type, const json_t *body, size_t raw_len, char *msg,
                            size_t cap);

#endif
