// SPDX-License-Identifier: BSL-1.0
// One instance of a receiver, for the multi-process tests: delivers events into a shared store and prints, one per
// line, the event numbers whose effect it ran.
//
//   webhooks_store_worker sqlite PATH EVENTS COPIES THREADS SEED
//   webhooks_store_worker redis PORT PREFIX EVENTS COPIES THREADS SEED
#include "deliveries.hpp"

#include <webhooks/idempotency/redis_store.hpp>
#include <webhooks/idempotency/sqlite_store.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

template <class Store>
int run(Store& store, char** args) {
    test::delivery_plan plan;
    plan.scope = "shared";
    plan.events = std::atoi(args[0]);
    plan.copies = std::atoi(args[1]);
    plan.threads = std::atoi(args[2]);
    plan.seed = std::strtoull(args[3], nullptr, 10);
    auto report = test::deliver(store, plan);
    for (int e = 0; e < plan.events; ++e)
        for (int n = 0; n < report.effects[e]; ++n) std::printf("%d\n", e);
    std::fprintf(stderr, "duplicates %zu, in progress %zu, store errors %zu, unexpected %zu%s\n", report.duplicates,
                 report.in_progress, report.store_errors, report.unexpected, report.timed_out ? ", timed out" : "");
    return report.unexpected == 0 && !report.timed_out ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    namespace idem = webhooks::idempotency;
    std::string kind = argc > 1 ? argv[1] : "";
    if (kind == "sqlite" && argc == 7) {
        idem::sqlite_store store{{.path = argv[2]}};
        return run(store, argv + 3);
    }
    if (kind == "redis" && argc == 8) {
        idem::redis_store store{{.host = "127.0.0.1", .port = std::atoi(argv[2]), .prefix = argv[3]}};
        return run(store, argv + 4);
    }
    std::fprintf(stderr, "usage: webhooks_store_worker sqlite PATH | redis PORT PREFIX, then EVENTS COPIES THREADS SEED\n");
    return 2;
}
