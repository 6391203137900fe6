// The key layout module (src/key_layout.hpp): every key shape built and taken
// apart by the one owner of the format.
#include <gtest/gtest.h>

#include <string>

#include "key_layout.hpp"

namespace keys = redis_cache::detail::keys;
using keys::KeyKind;

TEST(KeyLayout, BuildsEveryShapeWithAndWithoutClusterBraces) {
  const std::string braced = keys::ns_prefix("rc", "app::load", true);
  EXPECT_EQ(braced, "{rc:app::load}:");
  EXPECT_EQ(keys::ns_prefix("rc", "app::load", false), "rc:app::load:");
  EXPECT_EQ(keys::index_key(braced), "{rc:app::load}:keys");
  EXPECT_EQ(keys::note_key(braced), "{rc:app::load}:schema");
  EXPECT_EQ(keys::value_prefix(braced, "0123abcd"), "{rc:app::load}:0123abcd:");
  EXPECT_EQ(keys::value_prefix(braced, ""), "{rc:app::load}:");  // python: no schema segment
  EXPECT_EQ(keys::lock_key(braced, "{rc:app::load}:0123abcd:kQc="),
            "{rc:app::load}:lock:0123abcd:kQc=");
}

TEST(KeyLayout, SchemaSegmentPerCodec) {
  EXPECT_EQ(keys::schema_segment(redis_cache::Codec::msgpack, "0123abcd"), "0123abcd");
  const std::string json = keys::schema_segment(redis_cache::Codec::json, "0123abcd");
  EXPECT_TRUE(keys::is_schema_hex(json)) << json;
  EXPECT_NE(json, "0123abcd");  // one codec never reads the other's values
  EXPECT_EQ(keys::schema_segment(redis_cache::Codec::python, "0123abcd"), "");
}

TEST(KeyLayout, ParsesWhatItBuilds) {
  for (bool braced : {true, false}) {
    const std::string p = keys::ns_prefix("rc", "app::load", braced);
    const std::string value = keys::value_prefix(p, "0123abcd") + "kQc=";  // [7]
    auto v = keys::parse(value, "rc");
    ASSERT_TRUE(v) << value;
    EXPECT_EQ(v->kind, KeyKind::value);
    EXPECT_EQ(v->ns, "app::load");
    EXPECT_EQ(v->braced, braced);
    EXPECT_EQ(v->schema, "0123abcd");
    EXPECT_EQ(v->args_b64, "kQc=");

    auto l = keys::parse(keys::lock_key(p, value), "rc");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->kind, KeyKind::lock);
    EXPECT_EQ(l->ns, "app::load");
    EXPECT_EQ(l->args_b64, "kQc=");

    auto i = keys::parse(keys::index_key(p), "rc");
    ASSERT_TRUE(i);
    EXPECT_EQ(i->kind, KeyKind::index);
    EXPECT_EQ(i->ns, "app::load");
    auto n = keys::parse(keys::note_key(p), "rc");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->kind, KeyKind::note);

    // python-redis-cache: base64 of {"user_id":7}
    auto py = keys::parse(p + "eyJ1c2VyX2lkIjo3fQ==", "rc");
    ASSERT_TRUE(py);
    EXPECT_EQ(py->kind, KeyKind::python_value);
    EXPECT_EQ(py->ns, "app::load");
  }
  EXPECT_FALSE(keys::parse("other:app::load:keys", "rc"));
  EXPECT_FALSE(keys::parse("{rc:app}:nothex:kQc=", "rc"));
}

TEST(KeyLayout, BelongsToExactlyOneNamespaceWithoutBraces) {
  // "rc:report:" is a prefix of the keys of namespace "report:2024" too.
  const std::string report = keys::ns_prefix("rc", "report", false);
  const std::string longer = keys::ns_prefix("rc", "report:2024", false);
  EXPECT_TRUE(keys::belongs_to(report + "keys", report));
  EXPECT_TRUE(keys::belongs_to(report + "0123abcd:kQc=", report));
  EXPECT_TRUE(keys::belongs_to(report + "lock:0123abcd:kQc=", report));
  EXPECT_FALSE(keys::belongs_to(longer + "keys", report));
  EXPECT_FALSE(keys::belongs_to(longer + "0123abcd:kQc=", report));
  EXPECT_TRUE(keys::belongs_to(longer + "0123abcd:kQc=", longer));
  // With braces the prefix alone decides.
  const std::string braced = keys::ns_prefix("rc", "report", true);
  EXPECT_TRUE(keys::belongs_to(braced + "anything", braced));
  EXPECT_FALSE(keys::belongs_to("{rc:report:2024}:keys", braced));
}

TEST(KeyLayout, ScanPatternEscapesGlobCharacters) {
  EXPECT_EQ(keys::scan_pattern("{rc:f<int*>[0]?}:"), "{rc:f<int\\*>\\[0\\]\\?}:*");
  EXPECT_EQ(keys::glob_escape("a\\b"), "a\\\\b");
}

TEST(KeyLayout, RejectsBracesInNamespaceAndPrefix) {
  EXPECT_THROW(keys::check_namespace("a{b"), redis_cache::ConfigError);
  EXPECT_THROW(keys::check_namespace(""), redis_cache::ConfigError);
  EXPECT_NO_THROW(keys::check_namespace("app::f<int>"));
  EXPECT_THROW(keys::check_prefix("r}c"), redis_cache::ConfigError);
}
