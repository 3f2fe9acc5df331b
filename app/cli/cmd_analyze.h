// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/cli/command.h"

namespace meshcraft::app::cli {

/// `meshcraft analyze FILE...`
const Command &analyzeCommand();

} // namespace meshcraft::app::cli
