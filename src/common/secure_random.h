// secure_random.h — unguessable ids and tokens from the kernel's CSPRNG.
//
//   std::string id = moodtune::random_hex_128();   // "3f9c...": 32 hex digits
//
// Session ids and access tokens are the only key to a listener's data, so
// they must not be predictable from ids seen before (a seeded PRNG is).
// Thread-safe; throws std::runtime_error when the kernel gives no entropy.
#pragma once
#include <string>

namespace moodtune {

// 128 bits from getrandom(2) as 32 lowercase hex digits.
std::string random_hex_128();

}  // namespace moodtune
