// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/crd_schema.h"
#include "core/config/resource.h"

namespace meshcraft::core::config {

/// Checks an Istio resource the way the Kubernetes API server checks a custom resource against
/// its CRD (Istio 1.30.3's schemas, parsed once per process), in the API server's words:
///  1. unknown fields, which a structural schema prunes: a warning (code schema.unknown-field)
///     that says what Istio 1.3 did (dropped them) and what current Istio does (kubectl's strict
///     field validation refuses the object);
///  2. the OpenAPI checks (schema.type, schema.enum, schema.required, schema.minimum,
///     schema.maximum, schema.min-items, schema.max-items, schema.min-length, schema.max-length,
///     schema.max-properties, schema.format, schema.one-of, schema.any-of, schema.all-of,
///     schema.not) and list-map keys (schema.duplicate);
///  3. the CEL rules (schema.cel, and schema.duration for the duration rule). Like the API server
///     this step is skipped when step 2 found a type, enum, required or size error; a note
///     (schema.cel-skipped) then says so.
/// Positions point at the offending value, at the key of a field that is unknown, or at the
/// parent's key when a required field is missing. Kubernetes kinds get no diagnostics here.
/// When the shipped schema file cannot be read, one warning (schema.unavailable) says so.
common::Diagnostics validateAgainstSchema(const Resource &resource);

/// The same, against an explicit schema set (tests load one from a path).
common::Diagnostics validateAgainstSchema(const Resource &resource, const CrdSchemaSet &schemas);

} // namespace meshcraft::core::config
