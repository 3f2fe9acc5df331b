// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry point over the config core (build with scripts/fuzz.sh).
#include "tests/fuzz/fuzz_config_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    meshcraft::tests::fuzz::runConfigInput(data, size);
    return 0;
}
