// SPDX-License-Identifier: BSL-1.0
// The umbrella header, included twice: the include guards hold. Other translation units of this executable include
// the same headers, so a non-template function defined in a header without `inline` fails to link here.
#include <webhooks/webhooks.hpp>

#include <catch2/catch.hpp>

TEST_CASE("The umbrella header can be included twice and in several translation units", "[umbrella]") {
    webhooks::providers::stripe stripe{webhooks::secret{"whsec_test_secret"}};
    auto headers = stripe.sign("{}", {.timestamp = 1700000000});
    REQUIRE(headers.size() == 1);
    CHECK(headers[0].name == "Stripe-Signature");
    CHECK(webhooks::crypto::sha256("abc").to_string(webhooks::crypto::encoding::hex) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(webhooks::http_status(webhooks::error::no_matching_signature) == 401);
}
