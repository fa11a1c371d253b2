/* SPDX-License-Identifier: MIT */
/* Shared by the policy unit tests: fixtures are found through $SMX_ROOT. */
#ifndef SMX_TEST_POLICY_FIXTURE_H
#define SMX_TEST_POLICY_FIXTURE_H

#include <stddef.h>

#include "policy.h"

/* Reads $SMX_ROOT/tests/fixtures/policy/<rel> (or <rel> from the tree root
 * when it starts with "docs/"); aborts the test when it cannot. Caller frees. */
char *pol_test_read(const char *rel, size_t *len);

/* Parses a fixture; the formatted error (with the fixture's base name as
 * FILE) goes to msg. */
enum pol_status pol_test_parse(const char *rel, struct pol_config *cfg, char *msg, size_t n);

/* A valid config for engine tests: both OSes, a partition store. */
void pol_test_config(struct pol_config *cfg);

#endif
