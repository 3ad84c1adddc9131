/* date.h — calendar dates as day numbers, and strict parsing of the date and time formats the
 * API accepts. Day numbers count days since 1970-01-01 (proleptic Gregorian). */
#ifndef GAPFORGE_DATE_H
#define GAPFORGE_DATE_H

#include <stdbool.h>

/* Parses exactly "YYYY-MM-DD" (a real calendar date, years 1900..9999) into *day.
 * Returns 0, or -1 when the text is anything else. */
int gf_date_parse(const char *text, int *day);

/* Writes day as "YYYY-MM-DD" into out[11]. */
void gf_date_format(int day, char out[11]);

/* The day number of a proleptic Gregorian date (astronomical years: 0 is 1 BC, -1 is 2 BC).
 * Requires 1 <= month <= 12 and 1 <= mday <= 31, and no other check: a day past the month's end
 * runs on into the next month (2026-02-30 is 2026-03-02). Exact for every date whose day number
 * fits in an int (years about -5,877,000 to 5,881,000); the model's gf_day uses it too. */
int gf_date_from_ymd(int year, int month, int mday);

/* Splits any int day number (INT_MIN and INT_MAX included) into year, month (1..12) and day of
 * month (1..31), the inverse of gf_date_from_ymd; writes all three outputs. */
void gf_date_to_ymd(int day, int *year, int *month, int *mday);

/* True when text is "YYYY-MM-DD" or an RFC 3339 timestamp
 * "YYYY-MM-DDTHH:MM[:SS[.frac]](Z|+HH:MM|-HH:MM)" (a space may stand for the T). */
bool gf_timestamp_valid(const char *text);

#endif
