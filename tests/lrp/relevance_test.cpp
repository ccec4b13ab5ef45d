// The relevance pass over a whole (tiny) U-Net: conservation, merges at forks,
// cleave order, the filter schedule, start relevance and the batched sweep.
#include "lrp/relevance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>

#include "error_of.h"
#include "lrp/memory_budget.h"
#include "util/error.h"

namespace lrpseg {
namespace {

// A width-2 U-Net in float64. With `conservative`, every conv bias and BN shift
// is zero, BN is the identity up to its eps, and the weights are mostly positive
// (30 % negative, scaled by 0.1): z+ conserves Σ R only where Z = f(X; W+) ≠ 0,
// and a random width-2 net has filter taps with no positive weight at all, whose
// relevance z+ drops by definition.
UNet tiny_net(bool conservative) {
  torch::manual_seed(3);
  UNet net(UNetOptions{6, 2, 2});
  net->to(torch::kDouble);
  net->eval();
  torch::NoGradGuard no_grad;
  const bool zero_bias = conservative;
  for (auto& p : net->named_parameters()) {
    if (zero_bias && p.key().find("bias") != std::string::npos) p.value().zero_();
    if (conservative && p.key().find("weight") != std::string::npos && p.value().dim() == 5) {
      torch::Tensor negative = torch::rand_like(p.value()) < 0.3;
      p.value().abs_().mul_(torch::where(negative, -0.1, 1.0));
    }
  }
  for (auto& b : net->named_buffers()) {
    if (zero_bias && b.key().find("running_mean") != std::string::npos) b.value().zero_();
    if (!zero_bias && b.key().find("running_mean") != std::string::npos) b.value().normal_(0, 0.1);
    if (!zero_bias && b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2);
  }
  return net;
}

torch::Tensor tiny_input() {
  torch::manual_seed(4);
  return torch::rand({1, 6, 5, 9, 7}, torch::kDouble);
}

Trace record(UNet& net, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  Trace trace;
  net->forward(x, &trace);
  return trace;
}

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

TEST(Relevance, ZPlusSumMergeConservesRelevanceStageByStage) {
  UNet net = tiny_net(/*conservative=*/true);
  LrpOptions options;
  options.record_stages = true;
  Explanation e = explain(net, tiny_input(), options);

  double worst = 0.0;
  std::string worst_stage;
  for (const StageSum& s : e.stages) {
    const double err = relative(s.leaving.item<double>(), s.arriving.item<double>());
    if (err > worst) worst = err, worst_stage = s.name;
  }
  const double total = relative(e.sum_input.item<double>(), e.sum_output.item<double>());
  std::cout << "[ conservation ] " << e.stages.size() << " stages, worst relative error " << worst
            << " (" << worst_stage << "), input vs output " << total << "\n";
  EXPECT_GT(e.sum_output.item<double>(), 0.0);
  EXPECT_LT(worst, 1e-6);
  EXPECT_LT(total, 1e-6);
  // 57 steps plus the three forks h1, h2, h3.
  EXPECT_EQ(e.stages.size(), 57u + 3u);
}

TEST(Relevance, ZPlusConservesWithBatchNormFolded) {
  UNet net = tiny_net(/*conservative=*/true);
  LrpOptions options;
  options.fold_bn = true;
  Explanation e = explain(net, tiny_input(), options);
  EXPECT_LT(relative(e.sum_input.item<double>(), e.sum_output.item<double>()), 1e-6);
}

TEST(Relevance, PaperMergeHalvesTheRelevanceAtEachFork) {
  UNet net = tiny_net(/*conservative=*/true);
  LrpOptions options;
  options.record_stages = true;
  options.merge = Merge::Paper;
  options.merge_skip_fraction = 0.5;
  Explanation e = explain(net, tiny_input(), options);
  int forks = 0;
  for (const StageSum& s : e.stages) {
    const double arriving = s.arriving.item<double>(), leaving = s.leaving.item<double>();
    if (s.name.rfind("fork:", 0) == 0) {
      ++forks;
      EXPECT_LT(relative(leaving, 0.5 * arriving), 1e-9) << s.name;
    } else {
      EXPECT_LT(relative(leaving, arriving), 1e-6) << s.name;
    }
  }
  EXPECT_EQ(forks, 3);
  EXPECT_LT(e.sum_input.item<double>(), 0.75 * e.sum_output.item<double>());
}

TEST(Relevance, PaperMergeWeightsTheSkipMessageByF) {
  UNet net = tiny_net(/*conservative=*/true);
  for (double f : {0.25, 1.0}) {
    LrpOptions options;
    options.record_stages = true;
    options.merge = Merge::Paper;
    options.merge_skip_fraction = f;
    Explanation e = explain(net, tiny_input(), options);
    std::map<std::string, const StageSum*> by_name;
    for (const StageSum& s : e.stages) by_name[s.name] = &s;
    // h3 feeds cat1 (skip) and pool3; the skip piece is what cat1 sends minus crop1's share.
    const double skip =
        by_name.at("cat1")->leaving.item<double>() - by_name.at("crop1")->arriving.item<double>();
    const StageSum& fork = *by_name.at("fork:b3.act2");
    const double pool = fork.arriving.item<double>() - skip;
    EXPECT_LT(relative(fork.leaving.item<double>(), f * skip + (1 - f) * pool), 1e-9) << f;
  }
}

TEST(Relevance, CleaveSendsTheSkipChannelsToTheEncoderBlock) {
  UNet net = tiny_net(/*conservative=*/true);
  Trace trace = record(net, tiny_input());
  const TraceStep& cat3 = trace.steps[trace.find("cat3")];
  const int64_t skip = cat3.split_channels[0];
  // Relevance on the skip channels (h1, from b1) only.
  std::vector<int64_t> shape = trace.shapes[cat3.output];
  torch::Tensor r = torch::zeros(shape, torch::kDouble);
  r.narrow(1, 0, skip).fill_(1.0);

  LrpOptions options;
  options.record_stages = true;
  Explanation e = propagate_from(trace, options, cat3.output, r);
  for (const StageSum& s : e.stages) {
    const bool decoder_or_deeper = s.name.rfind("up", 0) == 0 || s.name.rfind("pool", 0) == 0 ||
                                   s.name.rfind("b2", 0) == 0 || s.name.rfind("b6", 0) == 0;
    if (decoder_or_deeper) {
      EXPECT_EQ(s.arriving.item<double>(), 0.0) << s.name;
    }
    if (s.name == "b1.act2") {
      EXPECT_LT(relative(s.arriving.item<double>(), r.sum().item<double>()), 1e-9);
    }
  }
  EXPECT_LT(relative(e.sum_input.item<double>(), r.sum().item<double>()), 1e-6);

  // And the upsampled channels only: nothing arrives at h1 through the skip.
  r.zero_();
  r.narrow(1, skip, shape[1] - skip).fill_(1.0);
  e = propagate_from(trace, options, cat3.output, r);
  bool seen = false;
  for (const StageSum& s : e.stages) {
    if (s.name == "up3") {
      seen = true;
      EXPECT_LT(relative(s.arriving.item<double>(), r.sum().item<double>()), 1e-9);
    }
  }
  EXPECT_TRUE(seen);
}

TEST(Relevance, FilterScheduleIsThePapersFifteenPlacesAndUnknownPlacesAreErrors) {
  EXPECT_EQ(paper_filter_places().size(), 15u);
  UNet net = tiny_net(false);
  Trace trace = record(net, tiny_input());
  LrpOptions options;
  options.filter_places = {"cat9.skip"};
  EXPECT_THROW(propagate(trace, options), Error);
}

TEST(Relevance, FilterAtOutputEqualsFilteringTheStartRelevance) {
  UNet net = tiny_net(false);
  Trace trace = record(net, tiny_input());
  LrpOptions filtered;
  filtered.filters = {Filter::pass(0.0, 0.2)};
  filtered.filter_places = {"output"};
  LrpOptions plain;
  plain.filter_places = {};
  torch::Tensor r0 = apply_filter(trace.output, Filter::pass(0.0, 0.2));
  EXPECT_FALSE(torch::equal(r0, trace.output));
  torch::Tensor a = propagate(trace, filtered).relevance;
  torch::Tensor b = propagate_from(trace, plain, trace.output_id, r0).relevance;
  EXPECT_TRUE(torch::allclose(a, b, 1e-12, 1e-12));
}

TEST(Relevance, BatchedSweepEqualsSeparateRuns) {
  UNet net = tiny_net(false);
  Trace trace = record(net, tiny_input());
  LrpOptions options;
  options.filters = paper_filters();
  Explanation batched = propagate(trace, options);
  ASSERT_EQ(batched.relevance.size(0), 16);
  for (size_t k = 0; k < options.filters.size(); ++k) {
    LrpOptions one = options;
    one.filters = {options.filters[k]};
    torch::Tensor separate = propagate(trace, one).relevance[0];
    // Narrow pass bands can filter everything away on a net this small.
    const double scale = std::max(separate.abs().max().item<double>(), 1e-300);
    EXPECT_LE((batched.relevance[k] - separate).abs().max().item<double>(), 1e-9 * scale)
        << batched.filters[k];
  }
  // The filters change the explanation.
  EXPECT_GT(batched.relevance[0].abs().max().item<double>(), 0.0);
  EXPECT_FALSE(torch::allclose(batched.relevance[0], batched.relevance[3]));
}

TEST(Relevance, SweepInBatchesOfAtMostMaxBatchEqualsOneBatch) {
  UNet net = tiny_net(false);
  LrpOptions options;
  options.filters = paper_filters();
  options.record_stages = true;
  const Explanation one = explain(net, tiny_input(), options);
  options.max_batch = 5;  // 5 + 5 + 5 + 1
  const Explanation chunked = explain(net, tiny_input(), options);
  EXPECT_EQ(chunked.filters, one.filters);
  // Equal up to the last bits: OpenBLAS's AVX-512 kernels block a GEMM by its width, which the
  // batch sets (4e-16 apart there; an elementwise relative test fails on near-zero voxels).
  for (int64_t k = 0; k < one.relevance.size(0); ++k) {
    const double scale = std::max(one.relevance[k].abs().max().item<double>(), 1e-300);
    EXPECT_LE((chunked.relevance[k] - one.relevance[k]).abs().max().item<double>(), 1e-12 * scale)
        << one.filters[k];
  }
  EXPECT_TRUE(torch::allclose(chunked.max_abs_per_channel, one.max_abs_per_channel, 1e-9));
  ASSERT_EQ(chunked.stages.size(), one.stages.size());
  EXPECT_EQ(chunked.stages.back().leaving.size(0), 16);
}

TEST(Relevance, AMemoryBoundSplitsTheSweepIntoBatchesThatFit) {
  UNet net = tiny_net(false);
  LrpOptions options;
  options.filters = paper_filters();
  options.fuse_forward = false;  // the forward record is then the plain trace below
  const Explanation one = explain(net, tiny_input(), options);
  EXPECT_EQ(one.filter_batch, 16);  // the default bound holds a tiny net's sweep
  Trace trace;
  {
    torch::NoGradGuard no_grad;
    net->eval();
    net->forward(tiny_input(), &trace);
  }
  // Room for the forward record and three filters: batches of 3.
  options.max_memory_bytes = recorded_bytes(trace) + 3 * relevance_bytes_per_sample(trace, 8) + 7;
  const Explanation bounded = explain(net, tiny_input(), options);
  EXPECT_EQ(bounded.filter_batch, 3);
  EXPECT_TRUE(torch::allclose(bounded.relevance, one.relevance, 1e-12, 1e-300));
  options.max_memory_bytes = recorded_bytes(trace) / 2;
  const std::string e = test::error_of([&] { explain(net, tiny_input(), options); });
  EXPECT_NE(e.find("--max-memory"), std::string::npos) << e;
  EXPECT_NE(e.find("one filter's relevance needs about"), std::string::npos) << e;
}

TEST(Relevance, BatchedSweepEqualsSeparateRunsInFloat) {
  UNet net = tiny_net(false);
  net->to(torch::kFloat);
  LrpOptions options;
  options.precision = Precision::Float;
  options.filters = {Filter::raw(), Filter::clamp(0.0, 0.1), Filter::clamp(0.05, 1.0)};
  torch::Tensor x = tiny_input().to(torch::kFloat);
  Explanation batched = explain(net, x, options);
  for (size_t k = 0; k < options.filters.size(); ++k) {
    LrpOptions one = options;
    one.filters = {options.filters[k]};
    torch::Tensor separate = explain(net, x, one).relevance[0];
    EXPECT_TRUE(torch::allclose(batched.relevance[k], separate, 1e-4,
                                1e-5 * separate.abs().max().item<float>()));
  }
}

TEST(Relevance, AllZeroStartRelevanceStaysZeroWithoutNaN) {
  UNet net = tiny_net(false);
  Trace trace = record(net, tiny_input());
  LrpOptions options;
  options.filters = paper_filters();
  Explanation e = propagate_from(trace, options, trace.output_id, torch::zeros_like(trace.output));
  EXPECT_FALSE(e.relevance.isnan().any().item<bool>());
  EXPECT_EQ(e.relevance.abs().max().item<double>(), 0.0);
}

TEST(Relevance, TargetsSelectTheStartRelevance) {
  UNet net = tiny_net(false);
  Trace trace = record(net, tiny_input());
  const torch::Tensor y = trace.output;
  const torch::Tensor lesion = y.select(1, 1);
  const torch::Tensor predicted = y.argmax(1).eq(1);
  ASSERT_GT(predicted.sum().item<int64_t>(), 0);
  ASSERT_LT(predicted.sum().item<int64_t>(), predicted.numel());

  LrpOptions options;
  EXPECT_NEAR(propagate(trace, options).sum_output.item<double>(), y.sum().item<double>(), 1e-9);
  options.target = Target::Lesion;
  Explanation e = propagate(trace, options);
  EXPECT_NEAR(e.sum_output.item<double>(), lesion.sum().item<double>(), 1e-9);
  options.target = Target::LesionMask;
  EXPECT_NEAR(propagate(trace, options).sum_output.item<double>(),
              (lesion * predicted).sum().item<double>(), 1e-9);
  EXPECT_EQ(e.max_abs_per_channel.sizes(), (std::vector<int64_t>{1, 6}));
}

TEST(Relevance, EpsilonRuleRunsAndDiffersFromZPlus) {
  UNet net = tiny_net(false);
  Trace trace = record(net, tiny_input());
  LrpOptions options;
  torch::Tensor zplus = propagate(trace, options).relevance;
  options.hidden_rule = "epsilon";
  options.rule.epsilon_rule_eps = 0.01;
  torch::Tensor eps = propagate(trace, options).relevance;
  EXPECT_FALSE(eps.isnan().any().item<bool>());
  EXPECT_FALSE(torch::allclose(zplus, eps));
}

TEST(Relevance, OptionParsersNameTheOption) {
  Merge merge;
  double f = 0;
  parse_merge("paper:0.25", merge, f);
  EXPECT_EQ(merge, Merge::Paper);
  EXPECT_EQ(f, 0.25);
  EXPECT_THROW(parse_merge("paper:2", merge, f), Error);
  EXPECT_THROW(parse_merge("max", merge, f), Error);
  EXPECT_EQ(parse_target("lesion-mask"), Target::LesionMask);
  EXPECT_THROW(parse_target("tumour"), Error);
  EXPECT_EQ(parse_precision("float"), Precision::Float);
  EXPECT_THROW(parse_precision("half"), Error);
}

}  // namespace
}  // namespace lrpseg

namespace lrpseg {
namespace {

TEST(Relevance, ForwardComputedZGivesTheSameExplanation) {
  UNet net = tiny_net(false);
  const torch::Tensor x = tiny_input();
  LrpOptions options;
  options.filters = {Filter::raw(), Filter::clamp(0.0, 0.2)};
  // Every convolution's Z term from the forward call, as explain() asks for it.
  Trace fused;
  fused.companion = [composite = Composite(options)](LayerKind kind, int id, const torch::Tensor&,
                                                     const torch::Tensor& w) {
    const ConvRule& rule = composite.rule_for(kind, id);
    return CompanionRequest{companion_weight(rule, w), companion_tag(rule)};
  };
  {
    torch::NoGradGuard no_grad;
    net->forward(x, &fused);
  }
  ASSERT_EQ(fused.steps[fused.find("b1.conv1")].companion_tag, "W");   // z^B
  ASSERT_EQ(fused.steps[fused.find("b3.conv2")].companion_tag, "W+");  // z+
  const Explanation a = propagate(fused, options);
  const Explanation b = propagate(record(net, x), options);
  EXPECT_TRUE(torch::allclose(a.relevance, b.relevance, 1e-9,
                              1e-12 * b.relevance.abs().max().item<double>()));
}

TEST(Relevance, ExplainOnALargerInputEqualsPropagateOnAPlainTrace) {
  // 20 × 90 is large enough for explain() to fuse Z into b7.conv1's forward call.
  UNet net = tiny_net(false);
  torch::manual_seed(5);
  const torch::Tensor x = torch::rand({1, 6, 20, 90, 3}, torch::kDouble);
  LrpOptions options;
  const Explanation a = explain(net, x, options);
  const Explanation b = propagate(record(net, x), options);
  EXPECT_TRUE(torch::allclose(a.relevance, b.relevance, 1e-9,
                              1e-12 * b.relevance.abs().max().item<double>()));
}

TEST(Relevance, TraceCompanionIsTheConvolutionWithTheCompanionWeight) {
  UNet net = tiny_net(false);
  const torch::Tensor x = tiny_input();
  torch::NoGradGuard no_grad;
  Trace trace;
  trace.companion = [](LayerKind, int, const torch::Tensor&, const torch::Tensor& w) {
    return CompanionRequest{w.clamp_min(0), "W+"};
  };
  torch::Tensor y = net->forward(x, &trace);
  EXPECT_TRUE(torch::allclose(y, net->forward(x), 1e-12, 1e-12));
  for (const char* name : {"b1.conv1", "b4.conv2", "b7.conv1", "head.conv"}) {
    const TraceStep& s = trace.steps[trace.find(name)];
    ASSERT_EQ(s.companion_tag, "W+") << name;
    std::vector<int64_t> stride(s.stride.begin(), s.stride.end());
    std::vector<int64_t> padding(s.padding.begin(), s.padding.end());
    const torch::Tensor expected =
        torch::conv3d(s.input, s.weight.clamp_min(0), {}, stride, padding);
    EXPECT_TRUE(torch::allclose(s.companion, expected, 1e-12, 1e-12)) << name;
  }
  // LRP asks for companions of convolutions only: transposed ones get none.
  for (const char* name : {"up1", "up3"}) {
    EXPECT_FALSE(trace.steps[trace.find(name)].companion.defined()) << name;
  }
}

}  // namespace
}  // namespace lrpseg

namespace lrpseg {
namespace {

TEST(Composite, EachPresetMapsEachLayerToItsDocumentedRule) {
  UNet net = tiny_net(false);
  Trace trace = record(net, tiny_input());
  // name → rule of the first convolution, the other convolutions, the transposed ones.
  const std::map<std::string, std::array<std::string, 3>> expected = {
      {"paper", {"zB", "z+", "z+"}},
      {"epsilon-plus", {"z+stable", "z+stable", "z+stable"}},
      {"epsilon-gamma-box", {"zB", "gamma", "gamma"}},
      {"epsilon-alpha2-beta1", {"alpha2-beta1", "alpha2-beta1", "alpha2-beta1"}}};
  ASSERT_EQ(composite_presets().size(), expected.size());
  for (const auto& [name, rules] : expected) {
    LrpOptions options;
    options.composite = name;
    const Composite composite(options);
    for (const TraceStep& step : trace.steps) {
      if (step.kind != LayerKind::Conv && step.kind != LayerKind::ConvTranspose) continue;
      const int which = step.kind == LayerKind::ConvTranspose ? 2 : step.inputs[0] == 0 ? 0 : 1;
      EXPECT_EQ(composite.rule_for(step).name, rules[which]) << name << " " << step.name;
    }
  }
  LrpOptions options;
  options.first_rule = "flat";
  options.hidden_rule = "epsilon";
  const Composite overridden(options);
  EXPECT_EQ(overridden.rule_for(trace.steps[trace.find("b1.conv1")]).name, "flat");
  EXPECT_EQ(overridden.rule_for(trace.steps[trace.find("head.conv")]).name, "epsilon");
  EXPECT_EQ(overridden.rule_for(trace.steps[trace.find("up2")]).name, "epsilon");
}

TEST(Composite, EpsilonPlusConservesRelevanceThroughTheUNet) {
  // (α-β conserves only where both the positive and the negative part exist.)
  UNet net = tiny_net(true);
  for (const char* name : {"epsilon-plus"}) {
    LrpOptions options;
    options.composite = name;
    const Explanation e = explain(net, tiny_input(), options);
    EXPECT_LT(relative(e.sum_input.item<double>(), e.sum_output.item<double>()), 1e-6) << name;
  }
}

TEST(Relevance, FloatAndDoubleExplanationsAgreeOnAStableNetwork) {
  // The conservative net has few negative activations: float32 stays close.
  UNet net = tiny_net(true);
  LrpOptions options;
  const Explanation d = explain(net, tiny_input(), options);
  options.precision = Precision::Float;
  const Explanation f = explain(net, tiny_input(), options);
  EXPECT_EQ(f.relevance.scalar_type(), torch::kFloat);
  EXPECT_EQ(d.relevance.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::allclose(f.relevance.to(torch::kDouble), d.relevance, 1e-3,
                              1e-4 * d.relevance.abs().max().item<double>()));
}

}  // namespace
}  // namespace lrpseg

namespace lrpseg {
namespace {

// M (out × in) of a bias-free (transposed) convolution of the trace, from ATen's
// own convolution applied to unit vectors: independent of lrpseg's GEMM path.
torch::Tensor dense_of(const TraceStep& s) {
  const int64_t n = s.input.numel();
  std::vector<int64_t> shape = s.input.sizes().vec();
  shape[0] = n;
  const torch::Tensor eye = torch::eye(n, torch::kDouble).view(shape);
  const std::vector<int64_t> stride(s.stride.begin(), s.stride.end());
  const std::vector<int64_t> padding(s.padding.begin(), s.padding.end());
  const torch::Tensor out = s.kind == LayerKind::ConvTranspose
                                ? torch::conv_transpose3d(eye, s.weight, {}, stride, padding)
                                : torch::conv3d(eye, s.weight, {}, stride, padding);
  return out.reshape({n, -1}).t().contiguous();
}

// The paper's LRP written out by hand over a recorded forward: dense z+ / z^B
// matrices, winner takes all by loops, zero-padded crops, channel cleave, sum
// at forks. Returns the relevance at the network input.
torch::Tensor dense_paper_lrp(const Trace& trace) {
  const double eps = 1e-9;
  std::vector<torch::Tensor> r(trace.shapes.size());
  r[trace.output_id] = trace.output.clone();
  auto add = [&](int id, const torch::Tensor& message) {
    r[id] = r[id].defined() ? r[id] + message : message;
  };
  for (int i = static_cast<int>(trace.steps.size()) - 1; i >= 0; --i) {
    const TraceStep& s = trace.steps[i];
    if (!r[s.output].defined()) continue;
    const torch::Tensor out = r[s.output];
    switch (s.kind) {
      case LayerKind::Conv:
      case LayerKind::ConvTranspose: {
        const torch::Tensor m = dense_of(s), mp = m.clamp_min(0), mn = m.clamp_max(0);
        const torch::Tensor x = s.input.reshape({-1}), rr = out.reshape({-1});
        torch::Tensor in;
        if (s.inputs[0] == 0) {  // z^B with L = 0, H = 1
          const torch::Tensor h = torch::ones_like(x);
          const torch::Tensor sz = rr / (m.matmul(x) - mn.matmul(h) + eps);
          in = x * m.t().matmul(sz) - h * mn.t().matmul(sz);
        } else {
          in = x * mp.t().matmul(rr / (mp.matmul(x) + eps));
        }
        add(s.inputs[0], in.view(s.input.sizes()));
        break;
      }
      case LayerKind::MaxPool: {
        torch::Tensor in = torch::zeros_like(s.input);
        const int64_t c = s.input.size(1), plane = s.input[0][0].numel();
        const torch::Tensor flat_in = in.view({c, plane}), x = s.input.reshape({c, plane});
        const torch::Tensor idx = s.indices.reshape({c, -1}), pooled = s.pooled.reshape({c, -1});
        const torch::Tensor ro = out.reshape({c, -1});
        for (int64_t ch = 0; ch < c; ++ch) {
          for (int64_t j = 0; j < idx.size(1); ++j) {
            const int64_t at = idx[ch][j].item<int64_t>();
            flat_in[ch][at] += x[ch][at].item<double>() * ro[ch][j].item<double>() /
                               (pooled[ch][j].item<double>() + eps);
          }
        }
        add(s.inputs[0], in);
        break;
      }
      case LayerKind::Crop: {
        torch::Tensor in = torch::zeros(
            {1, out.size(1), s.crop_from_dhw[0], s.crop_from_dhw[1], s.crop_from_dhw[2]},
            torch::kDouble);
        in.narrow(2, s.crop_offset_dhw[0], out.size(2))
            .narrow(3, s.crop_offset_dhw[1], out.size(3))
            .narrow(4, s.crop_offset_dhw[2], out.size(4))
            .copy_(out);
        add(s.inputs[0], in);
        break;
      }
      case LayerKind::Concat:
        add(s.inputs[0], out.narrow(1, 0, s.split_channels[0]));
        add(s.inputs[1], out.narrow(1, s.split_channels[0], s.split_channels[1]));
        break;
      default:
        add(s.inputs[0], out);  // BatchNorm, LeakyReLU, ReLU pass relevance through
    }
  }
  return r[0];
}

TEST(Relevance, Float64RelevanceEqualsAHandWrittenDenseReferenceOnAUNet) {
  UNet net = tiny_net(false);
  torch::manual_seed(6);
  const torch::Tensor x = torch::rand({1, 6, 3, 5, 4}, torch::kDouble);
  const Trace trace = record(net, x);
  const torch::Tensor expected = dense_paper_lrp(trace);
  const double scale = expected.abs().max().item<double>();
  const LrpOptions options;  // the paper's composite, raw relevance, sum at forks
  const torch::Tensor walked = propagate(trace, options).relevance[0];
  const torch::Tensor fused = explain(net, x, options).relevance[0];  // Z fused in the forward
  EXPECT_LT((walked - expected).abs().max().item<double>() / scale, 1e-10);
  EXPECT_LT((fused - expected).abs().max().item<double>() / scale, 1e-10);
}

}  // namespace
}  // namespace lrpseg
