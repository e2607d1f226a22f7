// The command line shared by the tradeoff-curve experiments of IRVAE
// (//irvae:mnist, //irvae:cmu): train, dataset and flattening flags, plus
//
//   --vae --fmvae_alphas --irvae_alphas --method_options --max_test_items
//   --ellipses_per_class --figures --output_dir
//
// parsed into a MnistTradeoffConfig (irvae/mnist.h) and run. Each binary
// passes its defaults; bad flags exit with status 2 and a message naming the
// flag.
#ifndef ISOAE_IRVAE_TRADEOFF_MAIN_H_
#define ISOAE_IRVAE_TRADEOFF_MAIN_H_

#include <string>

namespace isoae {

struct TradeoffMainDefaults {
  std::string usage;       // the --help line
  std::string figure;      // e.g. "Fig. 1", printed over the table
  std::string arch;        // a NamedArchitecture name
  std::string dataset;     // --dataset default
  std::string classes;     // --classes default ("" = all)
  std::string output_dir;  // --output_dir default
  int64_t max_test_items = 10000;
};

int RunTradeoffMain(const TradeoffMainDefaults& defaults, int argc, char** argv);

}  // namespace isoae

#endif  // ISOAE_IRVAE_TRADEOFF_MAIN_H_
