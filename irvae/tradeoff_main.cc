#include "irvae/tradeoff_main.h"

#include <cmath>
#include <iostream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/device.h"
#include "core/main_init.h"
#include "core/train_flags.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"
#include "irvae/flattening_flags.h"
#include "irvae/mnist.h"

DEFINE_bool(vae, true, "train the unregularised VAE as the reference point");
DEFINE_string(fmvae_alphas, "0.001,0.01,0.1,1", "FMVAE regularisation weights");
DEFINE_string(irvae_alphas, "1,10,100,1000", "IRVAE regularisation weights");
DEFINE_string(method_options, "", "key=value,... for the regularisers (e.g. eta=0.2)");
DEFINE_int64(max_test_items, 10000, "test items scored (spread over the test split)");
DEFINE_int32(ellipses_per_class, 5, "equidistance ellipses per class in the latent figures");
DEFINE_bool(figures, true, "write PNG figures");
DEFINE_string(output_dir, "out/irvae_mnist", "tables, figures, histories, checkpoints");

namespace isoae {
namespace {

absl::StatusOr<std::vector<double>> ParseAlphas(const std::string& flag,
                                                const std::string& text) {
  std::vector<double> out;
  for (absl::string_view a : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    double v;
    if (!absl::SimpleAtod(a, &v) || !std::isfinite(v) || v < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": \"", a, "\" is not a finite number >= 0"));
    }
    out.push_back(v);
  }
  return out;
}

void SetDefault(const char* flag, const std::string& value) {
  gflags::SetCommandLineOptionWithMode(flag, value.c_str(), gflags::SET_FLAGS_DEFAULT);
}

}  // namespace

int RunTradeoffMain(const TradeoffMainDefaults& d, int argc, char** argv) {
  SetTrainFlagDefaults({.epochs = 100, .batch_size = 100, .lr = 1e-3,
                        .checkpoint_every = 1000});
  SetDefault("dataset", d.dataset);
  SetDefault("classes", d.classes);
  SetDefault("output_dir", d.output_dir);
  SetDefault("max_test_items", absl::StrCat(d.max_test_items));
  InitMain(d.usage.c_str(), &argc, &argv);
  absl::StatusOr<ExperimentFlags> flags = ExperimentFlagsFromCommandLine();
  if (!flags.ok()) return ReportError(flags.status());
  const TrainFlags* train = &flags->train;
  const DatasetRequest* data = &flags->data;
  const FlatteningPlan* fm = &flags->fm;
  absl::StatusOr<std::vector<double>> fmvae = ParseAlphas("fmvae_alphas", FLAGS_fmvae_alphas);
  absl::StatusOr<std::vector<double>> irvae = ParseAlphas("irvae_alphas", FLAGS_irvae_alphas);
  for (const absl::Status& s : {fmvae.status(), irvae.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  MnistTradeoffConfig c;
  c.data = *data;
  c.arch = d.arch;
  c.run_vae = FLAGS_vae;
  c.fmvae_alphas = *fmvae;
  c.irvae_alphas = *irvae;
  c.method_options = FLAGS_method_options;
  c.train = train->train;
  c.fm = *fm;
  c.device = train->device_name;
  c.max_test_items = FLAGS_max_test_items;
  c.ellipses_per_class = FLAGS_ellipses_per_class;
  c.write_figures = FLAGS_figures;
  c.output_dir = ResolveUserPath(FLAGS_output_dir);
  if (!WriteFlagsFile(c.output_dir)) return 1;
  absl::StatusOr<MnistTradeoffResult> r = RunMnistTradeoff(c);
  if (!r.ok()) return ReportError(r.status());
  std::cout << "\nTest MSE vs VoR / MCN at mixup-augmented test codes (IRVAE " << d.figure
            << "; lower curves are better)\n"
            << r->table_text << "\nResults and figures in " << c.output_dir << "\n";
  return 0;
}

}  // namespace isoae
