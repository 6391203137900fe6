// Struct results: plain aggregates (Boost.PFR, positional) and described
// types (Boost.Describe, by field name), nested in standard containers.
#include <redis_cache/redis_cache.hpp>

#include <boost/describe.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rc = redis_cache;

namespace shop {

enum class Tier { free, pro, enterprise };
BOOST_DESCRIBE_ENUM(Tier, free, pro, enterprise)  // stored by name: "pro"

struct Price {  // aggregate: stored as [cents, currency]
  long long cents;
  std::string currency;
};

struct Product {  // described: stored as {"sku": ..., "title": ..., ...}
  std::string sku;
  std::string title;
  std::vector<Price> prices;
  std::optional<std::string> note;
  Tier tier;
};
BOOST_DESCRIBE_STRUCT(Product, (), (sku, title, prices, note, tier))

int db_reads = 0;

Product load_product(const std::string& sku) {
  ++db_reads;
  return {sku, "Widget " + sku, {{1999, "EUR"}, {2199, "USD"}}, std::nullopt, Tier::pro};
}

std::map<std::string, int> stock_by_city(int product_id, bool include_empty) {
  ++db_reads;
  std::map<std::string, int> m{{"Berlin", product_id % 7}, {"Lisbon", 3}};
  if (include_empty) m["Oslo"] = 0;
  return m;
}

}  // namespace shop

int main() {
  const char* url = std::getenv("REDIS_URL");
  rc::RedisCache cache{{.url = url ? url : "redis://127.0.0.1:6379/0"}};

  auto products = cache.cache<&shop::load_product>({.ttl = std::chrono::minutes(10)});
  auto stock = cache.cache<&shop::stock_by_city>({.ttl = std::chrono::seconds(30), .limit = 500});
  products.invalidate_all();
  stock.invalidate_all();

  shop::Product p1 = products("A-100");  // miss: computed
  shop::Product p2 = products("A-100");  // hit: decoded from Redis
  auto s1 = stock(42, true);
  auto s2 = stock(42, true);

  std::cout << products.ns() << ": " << p2.title << ", " << p2.prices.size() << " prices, first "
            << p2.prices[0].cents << " " << p2.prices[0].currency << "\n";
  std::cout << stock.ns() << ": Berlin=" << s2.at("Berlin") << " Oslo=" << s2.at("Oslo") << "\n";
  std::cout << "database reads: " << shop::db_reads << " (4 calls)\n";
  const bool same = p1.title == p2.title && p1.prices.size() == p2.prices.size() &&
                    p2.tier == shop::Tier::pro && s1 == s2;
  return (same && shop::db_reads == 2) ? 0 : 1;
}
