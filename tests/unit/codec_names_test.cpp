// Compile-time qualified function names (the default cache namespace) and schema
// fingerprints (the <schema> key segment). Both are constexpr: checked with static_assert.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <redis_cache/codec/codec.hpp>

namespace rc = redis_cache::codec;

namespace app {
int load_user(int id) {
  return id;
}
struct Repo {
  static int load(int id) { return id; }
};
struct Other {
  static int load(int id) { return id + 1; }
};
namespace v2 {
int load_user(int id) {
  return id;
}
}  // namespace v2
template <class T>
T ident(T t) {
  return t;
}
int overloaded(int x) {
  return x;
}
int overloaded(double x) {
  return static_cast<int>(x);
}
}  // namespace app

namespace {
int hidden(int x) {
  return x;
}
namespace inner {
int deeper(int x) {
  return x;
}
}  // namespace inner
}  // namespace

// Fingerprint subjects: versions of one struct.
namespace fp1 {
struct U {
  int id;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(U, (), (id, name))
}  // namespace fp1
namespace fp2 {  // same shape and field names as fp1 but other namespace: a different type
struct U {
  int id;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(U, (), (id, name))
}  // namespace fp2

#define RC_FP_VARIANT(ns, fields, members) \
  namespace ns {                           \
  struct U {                               \
    fields                                 \
  };                                       \
  BOOST_DESCRIBE_STRUCT(U, (), members)    \
  }
RC_FP_VARIANT(added, int id; std::string name; int age;, (id, name, age))
RC_FP_VARIANT(removed, int id;, (id))
RC_FP_VARIANT(renamed, int id; std::string full_name;, (id, full_name))
RC_FP_VARIANT(retyped, std::int64_t id; std::string name;, (id, name))

namespace pfr_a {
struct P {
  int id;
  std::string name;
};
}  // namespace pfr_a
namespace pfr_b {
struct P {
  int id;
  std::string name;
  double extra;
};
}  // namespace pfr_b
namespace pfr_c {
struct P {
  int id;
  std::vector<std::string> name;
};
}  // namespace pfr_c

TEST(QualifiedName, NamespacesAndStaticMembers) {
  static_assert(rc::qualified_name<&app::load_user>() == "app::load_user");
  static_assert(rc::qualified_name<&app::v2::load_user>() == "app::v2::load_user");
  static_assert(rc::qualified_name<&app::Repo::load>() == "app::Repo::load");
  static_assert(rc::qualified_name<&app::Other::load>() == "app::Other::load");
  static_assert(rc::qualified_name<&app::Repo::load>() != rc::qualified_name<&app::Other::load>());
  static_assert(rc::qualified_name<static_cast<int (*)(double)>(&app::overloaded)>() ==
                "app::overloaded");
  static_assert(rc::qualified_name<&app::ident<int>>().starts_with("app::ident"));
  SUCCEED();
}

TEST(QualifiedName, AnonymousNamespaceHasNoBraces) {
  constexpr std::string_view a = rc::qualified_name<&hidden>();
  constexpr std::string_view b = rc::qualified_name<&inner::deeper>();
  static_assert(a == "(anonymous)::hidden");
  static_assert(b == "(anonymous)::inner::deeper");
  static_assert(a.find('{') == std::string_view::npos && a.find('}') == std::string_view::npos);
  SUCCEED();
}

TEST(SchemaFingerprint, IsEightLowercaseHexCharsAtCompileTime) {
  constexpr std::string_view fp = rc::schema_fingerprint<fp1::U, int, std::string>();
  static_assert(fp.size() == 8);
  for (char c : fp) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << fp;
}

TEST(SchemaFingerprint, EqualForEqualTypes) {
  static_assert(rc::schema_fingerprint<fp1::U, int>() == rc::schema_fingerprint<fp1::U, int>());
  // cv/ref and the three string argument types do not matter.
  static_assert(rc::schema_fingerprint<fp1::U, const int&>() ==
                rc::schema_fingerprint<fp1::U, int>());
  static_assert(rc::schema_fingerprint<int, std::string>() ==
                rc::schema_fingerprint<int, std::string_view>());
  static_assert(rc::schema_fingerprint<int, const char*>() ==
                rc::schema_fingerprint<int, std::string>());
  // int64_t is long on LP64, long long elsewhere: both are "i64".
  static_assert(rc::schema_fingerprint<long long>() == rc::schema_fingerprint<std::int64_t>());
  SUCCEED();
}

TEST(SchemaFingerprint, ChangesWhenAFieldIsAddedRemovedRenamedOrRetyped) {
  // The struct name is part of the schema, so compare each variant with its twin under
  // the same name: fp1 vs fp2 differ only by namespace.
  static_assert(rc::schema_fingerprint<fp1::U>() != rc::schema_fingerprint<fp2::U>());
  constexpr std::string_view base = rc::schema_fingerprint<fp1::U>();
  static_assert(base != rc::schema_fingerprint<added::U>());
  static_assert(base != rc::schema_fingerprint<removed::U>());
  static_assert(base != rc::schema_fingerprint<renamed::U>());
  static_assert(base != rc::schema_fingerprint<retyped::U>());
  // Field-level changes alone, with the type name held fixed: compare the schema hashes
  // through a container whose element type differs only in that way.
  static_assert(rc::schema_fingerprint<pfr_a::P>() != rc::schema_fingerprint<pfr_b::P>());
  static_assert(rc::schema_fingerprint<pfr_a::P>() != rc::schema_fingerprint<pfr_c::P>());
  SUCCEED();
}

TEST(SchemaFingerprint, ArgumentsAndResultAreDistinguished) {
  static_assert(rc::schema_fingerprint<int, std::string>() !=
                rc::schema_fingerprint<std::string, int>());
  static_assert(rc::schema_fingerprint<int, int, int>() != rc::schema_fingerprint<int, int>());
  static_assert(rc::schema_fingerprint<int, std::vector<int>>() !=
                rc::schema_fingerprint<int, std::set<int>>());
  static_assert(rc::schema_fingerprint<int, std::optional<int>>() !=
                rc::schema_fingerprint<int, int>());
  static_assert(rc::schema_fingerprint<std::int32_t>() != rc::schema_fingerprint<std::uint32_t>());
  static_assert(rc::schema_fingerprint<float>() != rc::schema_fingerprint<double>());
  static_assert(rc::schema_fingerprint<std::map<int, int>>() !=
                rc::schema_fingerprint<std::map<int, long long>>());
  SUCCEED();
}

// Golden value: pins the fingerprint algorithm (gcc and clang must agree).
TEST(SchemaFingerprint, GoldenValue) {
  EXPECT_EQ((rc::schema_fingerprint<std::vector<std::string>, std::int64_t, std::string>()),
            "e778beed");
}

TEST(Cacheable, TraitsAgreeWithTheDesign) {
  static_assert(rc::cacheable_v<int>);
  static_assert(rc::cacheable_v<const std::string&>);
  static_assert(rc::cacheable_v<const char*>);
  static_assert(rc::cacheable_v<std::string_view>);
  static_assert(rc::cacheable_v<std::map<std::string, std::vector<std::optional<fp1::U>>>>);
  static_assert(!rc::cacheable_v<int*>);
  static_assert(!rc::cacheable_v<char*>);
  static_assert(!rc::cacheable_v<int&>);
  static_assert(!rc::cacheable_v<int (*)(int)>);
  static_assert(!rc::cacheable_v<std::vector<int*>>);
  static_assert(!rc::cacheable_v<long double>);
  union Un {
    int i;
    float f;
  };
  static_assert(!rc::cacheable_v<Un>);
  struct WithPtr {
    int a;
    const int* p;
  };
  static_assert(!rc::cacheable_v<WithPtr>);
  static_assert(!rc::cacheable_v<std::chrono::steady_clock::time_point>);
  auto lambda = [](int x) { return x; };
  static_assert(!rc::cacheable_v<decltype(lambda)>);
  SUCCEED();
}
