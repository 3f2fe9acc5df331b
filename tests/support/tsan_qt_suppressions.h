// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Include from exactly one source file of a test executable that runs under ThreadSanitizer.
// Debian's Qt is not built with TSan, so QtTest's watchdog thread (a QWaitCondition woken from
// one thread and destroyed by another at exit) is reported as a race TSan cannot see the
// synchronisation of. Reports with a Qt frame are silenced; our own code has no Qt frames.

extern "C" const char *__tsan_default_suppressions()
{
    return "race:libQt6Core.so\n"
           "race:libQt6Test.so\n";
}
