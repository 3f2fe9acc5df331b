// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// hiredis writes with write(2), not send(MSG_NOSIGNAL): a write to a socket the peer reset
// would raise SIGPIPE and kill the app. With SIGPIPE blocked the write fails with EPIPE
// instead; the signal the kernel left pending on the thread is then drained.

#include <csignal>
#include <ctime>
#include <pthread.h>

namespace meshcraft::core::probe::detail {

inline void blockSigpipeOnThisThread()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

inline void drainSigpipe()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    const timespec zero{0, 0};
    while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
    }
}

/// Blocks SIGPIPE for a scope (one hiredis call) and drains what it left pending, so a caller on
/// any thread is safe without changing its signal mask for good.
class SigpipeGuard
{
public:
    SigpipeGuard()
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, &m_old);
    }
    ~SigpipeGuard()
    {
        drainSigpipe();
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    SigpipeGuard(const SigpipeGuard &) = delete;
    SigpipeGuard &operator=(const SigpipeGuard &) = delete;

private:
    sigset_t m_old;
};

} // namespace meshcraft::core::probe::detail
