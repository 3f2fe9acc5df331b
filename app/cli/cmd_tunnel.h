// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/cli/command.h"

namespace meshcraft::app::cli {

/// `meshcraft tunnel LAB --from POD --to IP:PORT --listen 127.0.0.1:PORT [--until N]`
const Command &tunnelCommand();

} // namespace meshcraft::app::cli
