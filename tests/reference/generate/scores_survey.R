#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference fixtures for cxmetrics score statistics, computed with R `survey`.
#
# Run from the repository root:
#     Rscript tests/reference/generate/scores_survey.R
# Output:
#     tests/reference/data/scores_survey.json   (generated - do not edit)
#
# Every dataset is simulated inline (fixed seeds), so the script is fully
# self-contained. All numbers are written at full precision with
# jsonlite::write_json(digits = NA); nothing is taken from print().
#
# Conventions (see tests/reference/README.md for details):
#   * NPS: prom = score >= 9, detr = score <= 6, z = prom - detr.
#     NPS = 100 * svymean(~z); its SE is 100 * SE(svymean(~z)).
#   * Designs: unweighted   svydesign(ids = ~1, data = d)  (all weights 1)
#              weighted     svydesign(ids = ~1, weights = ~w, data = d)
#              stratified   svydesign(ids = ~1, strata = ~s, weights = ~w, data = d)
#   * By-group estimates are DOMAIN estimates: design[g == lev, ] (what svyby
#     does internally) keeps the full-design variance structure
#     (fpc$sampsize of the full design; absent units are padded with zeros).
#   * "df" is always degf() of the FULL design, unless stated otherwise
#     (svyciprop's own default df is degf() of the subsetted design -> "ci_df").
#   * deff is svymean(..., deff = "replace") (with-replacement SRS variance,
#     no finite-population factor); deff = TRUE would need sum(w) > n.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

BASE_SEED <- 20240601L
set.seed(BASE_SEED)
options(survey.lonely.psu = "fail")   # defaults elsewhere; no lonely PSUs here

# ---- locate paths ------------------------------------------------------------
all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
out_path <- file.path(normalizePath(file.path(script_dir, "..")), "data",
                      "scores_survey.json")

# ---- small helpers -----------------------------------------------------------
# plain numeric, names/attributes stripped, non-finite -> NA (-> JSON null)
num <- function(x) {
  x <- as.numeric(unclass(x))
  x[!is.finite(x)] <- NA
  x
}
ci_pair <- function(ci) list(ci_low = num(ci[1]), ci_high = num(ci[2]))
draw <- function(n, values, prob) as.integer(sample(values, n, replace = TRUE, prob = prob))
clamp <- function(x, lo, hi) as.integer(pmin(pmax(x, lo), hi))

# NPS 0-10 shapes (unnormalised probabilities for 0,1,...,10)
NPS_SHAPES <- list(
  base  = c(2, 1, 1, 2, 2, 5, 6, 10, 14, 16, 12),
  happy = c(1, 0.5, 0.5, 1, 1, 2, 4, 8, 14, 22, 20),
  sad   = c(5, 3, 3, 4, 5, 8, 8, 12, 10, 8, 5),
  mid   = c(1, 1, 1, 2, 3, 6, 8, 16, 16, 10, 6)
)
CSAT_SHAPES <- list(base = c(5, 10, 20, 35, 30), low = c(12, 18, 25, 28, 17),
                    high = c(3, 5, 12, 35, 45))
CES_SHAPES <- list(base = c(4, 8, 12, 20, 26, 18, 12), low = c(10, 14, 18, 20, 18, 12, 8),
                   high = c(2, 4, 8, 16, 26, 24, 20))

# Build the survey design for a data.frame with columns score (+ w, s, g, ...).
make_design <- function(d, weighted, stratified) {
  suppressWarnings({   # "No weights or probabilities supplied" for unweighted
    if (weighted && stratified) svydesign(ids = ~1, strata = ~s, weights = ~w, data = d)
    else if (weighted)          svydesign(ids = ~1, weights = ~w, data = d)
    else if (stratified)        svydesign(ids = ~1, strata = ~s, data = d)
    else                        svydesign(ids = ~1, data = d)
  })
}

# Domains: list(label -> subsetted design). No group -> single domain "all".
domains <- function(des, d) {
  if (is.null(d$g)) return(list(all = des))
  levs <- sort(unique(d$g))
  setNames(lapply(levs, function(l) des[d$g == l, ]), levs)
}

# JSON "data" block
data_block <- function(d, weighted, stratified) {
  list(score   = d$score,
       weights = if (weighted) d$w else NULL,
       group   = if (!is.null(d$g)) d$g else NULL,
       strata  = if (stratified) d$s else NULL,
       score_b = if (!is.null(d$score_b)) d$score_b else NULL)
}

# assert helper: two computations of the same quantity must agree
agree <- function(a, b, what, tol = 1e-10) {
  a <- as.numeric(a); b <- as.numeric(b)
  if (!isTRUE(all.equal(a, b, tolerance = tol)))
    stop("cross-check failed: ", what, ": ", paste(a, collapse = ","), " vs ",
         paste(b, collapse = ","))
}

# ---- dataset simulator -------------------------------------------------------
# n rows; scores from `shapes` (per group if groups given); lognormal weights
# (strata-dependent scale when stratified); optional tiny groups appended.
simulate <- function(seed, n, values, shapes, groups = NULL, group_prob = NULL,
                     weighted = TRUE, stratified = FALSE, tiny = NULL) {
  set.seed(seed)
  d <- data.frame(row = seq_len(n))
  if (stratified) {
    d$s <- sample(c("s1", "s2", "s3"), n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
  }
  if (!is.null(groups)) {
    d$g <- sample(groups, n, replace = TRUE, prob = group_prob)
    d$score <- NA_integer_
    for (i in seq_along(groups)) {
      idx <- d$g == groups[i]
      d$score[idx] <- draw(sum(idx), values, shapes[[((i - 1) %% length(shapes)) + 1]])
    }
  } else {
    d$score <- draw(n, values, shapes[[1]])
  }
  if (!is.null(tiny)) {     # e.g. tiny = c(d = 2, e = 1): append tiny groups
    for (lab in names(tiny)) {
      k <- tiny[[lab]]
      extra <- data.frame(row = NA_integer_, g = rep(lab, k),
                          score = draw(k, values, shapes[[1]]))
      if (stratified) extra$s <- sample(c("s1", "s2", "s3"), k, replace = TRUE)
      d <- rbind(d[, names(extra)], extra)
    }
  }
  if (stratified) {
    # make strata heterogeneous (s2 higher, s3 lower) so that stratification
    # matters for variances and cross-domain covariances
    shift <- c(s1 = 0L, s2 = 1L, s3 = -2L)[d$s] * rbinom(nrow(d), 1, 0.5)
    d$score <- clamp(d$score + shift, min(values), max(values))
  }
  if (weighted) {
    sc <- if (stratified) c(s1 = 1, s2 = 2.5, s3 = 0.6)[d$s] else 1
    d$w <- as.numeric(rlnorm(nrow(d), meanlog = 0, sdlog = 0.6) * sc)
  }
  d$row <- NULL
  rownames(d) <- NULL
  d
}

add_nps_vars <- function(d) {
  d$prom <- as.numeric(d$score >= 9)
  d$pas  <- as.numeric(d$score >= 7 & d$score <= 8)
  d$detr <- as.numeric(d$score <= 6)
  d$z    <- d$prom - d$detr
  d
}

# =============================================================================
# Metric builders
# =============================================================================

# ---- NPS (overall or by-group domains) ---------------------------------------
nps_case <- function(name, d, weighted, stratified) {
  d <- add_nps_vars(d)
  des <- make_design(d, weighted, stratified)
  df_full <- degf(des)
  doms <- domains(des, d)
  groups <- lapply(names(doms), function(lab) {
    sub <- doms[[lab]]
    m <- svymean(~z, sub, deff = "replace")
    shares <- svymean(~prom + pas + detr, sub)
    list(group = lab,
         estimate = num(100 * coef(m)),
         std_error = num(100 * SE(m)),
         promoters = num(coef(shares)["prom"]),
         passives = num(coef(shares)["pas"]),
         detractors = num(coef(shares)["detr"]),
         n = nrow(sub),
         sum_weights = num(sum(weights(sub))),
         deff = num(deff(m)),
         df = df_full,
         ci_low = num(100 * confint(m, df = df_full)[1]),
         ci_high = num(100 * confint(m, df = df_full)[2]),
         ci_normal_low = num(100 * confint(m)[1]),
         ci_normal_high = num(100 * confint(m)[2]))
  })
  # cross-check: svyby domain estimates == subset loop
  if (!is.null(d$g)) {
    by <- svyby(~z, ~g, des, svymean)
    agree(100 * coef(by), sapply(groups, `[[`, "estimate"), paste(name, "svyby est"))
    agree(100 * SE(by), sapply(groups, `[[`, "std_error"), paste(name, "svyby se"))
  }
  list(name = name, metric = "nps", data = data_block(d, weighted, stratified),
       options = list(scale = c(0L, 10L), promoters = c(9L, 10L),
                      detractors_max = 6L, level = 0.95),
       expected = list(groups = groups))
}

# ---- share (top-box proportion) ----------------------------------------------
share_case <- function(name, d, weighted, stratified, top, scale) {
  d$top <- as.numeric(d$score %in% top)
  des <- make_design(d, weighted, stratified)
  df_full <- degf(des)
  doms <- domains(des, d)
  groups <- lapply(names(doms), function(lab) {
    sub <- doms[[lab]]
    m <- svymean(~top, sub, deff = "replace")
    ci_l <- svyciprop(~top, sub, method = "logit", level = 0.95)
    ci_b <- svyciprop(~top, sub, method = "beta", level = 0.95)
    ci_lik <- tryCatch(svyciprop(~top, sub, method = "likelihood", level = 0.95),
                       error = function(e) NULL)
    ci_l90 <- svyciprop(~top, sub, method = "logit", level = 0.90)
    ci_b90 <- svyciprop(~top, sub, method = "beta", level = 0.90)
    ci_lfull <- svyciprop(~top, sub, method = "logit", level = 0.95, df = df_full)
    # check svyciprop(logit) == expit(logit(p) -/+ qt(.975, degf(sub)) * SE/(p(1-p)))
    p <- coef(m); se <- SE(m)
    manual <- plogis(qlogis(p) + c(-1, 1) * qt(0.975, degf(sub)) * as.numeric(se) / (p * (1 - p)))
    agree(attr(ci_l, "ci"), manual, paste(name, lab, "logit formula"), tol = 1e-7)
    # effective n used by method = "beta" (Korn-Graubard df-adjusted)
    neff <- p * (1 - p) / as.numeric(se)^2 *
      (qt(0.025, nrow(sub) - 1) / qt(0.025, degf(sub)))^2
    list(group = lab,
         estimate = num(p),
         std_error = num(se),
         n = nrow(sub),
         sum_weights = num(sum(weights(sub))),
         deff = num(deff(m)),
         df = df_full,
         ci_df = degf(sub),
         beta_n_eff = num(neff),
         ci_logit = ci_pair(attr(ci_l, "ci")),
         ci_beta = ci_pair(attr(ci_b, "ci")),
         ci_likelihood = if (is.null(ci_lik)) NULL else ci_pair(attr(ci_lik, "ci")),
         ci_logit_90 = ci_pair(attr(ci_l90, "ci")),
         ci_beta_90 = ci_pair(attr(ci_b90, "ci")),
         ci_logit_full_df = ci_pair(attr(ci_lfull, "ci")))
  })
  if (!is.null(d$g)) {
    # cross-check: svyby(svyciprop, vartype = "ci") == subset loop
    by <- svyby(~top, ~g, des, svyciprop, method = "logit", vartype = "ci")
    agree(by$top, sapply(groups, `[[`, "estimate"), paste(name, "svyby est"), 1e-7)
    agree(by$ci_l, sapply(groups, function(x) x$ci_logit$ci_low), paste(name, "svyby lo"))
    agree(by$ci_u, sapply(groups, function(x) x$ci_logit$ci_high), paste(name, "svyby hi"))
  }
  list(name = name, metric = "share", data = data_block(d, weighted, stratified),
       options = list(top = as.integer(top), scale = as.integer(scale), level = 0.95),
       expected = list(groups = groups))
}

# ---- mean ----------------------------------------------------------------------
mean_case <- function(name, d, weighted, stratified, scale) {
  des <- make_design(d, weighted, stratified)
  df_full <- degf(des)
  doms <- domains(des, d)
  groups <- lapply(names(doms), function(lab) {
    sub <- doms[[lab]]
    m <- svymean(~score, sub, deff = "replace")
    ci_t <- confint(m, df = df_full)   # t interval, design df of full design
    ci_n <- confint(m)                 # default df = Inf -> normal
    list(group = lab,
         estimate = num(coef(m)),
         std_error = num(SE(m)),
         n = nrow(sub),
         sum_weights = num(sum(weights(sub))),
         deff = num(deff(m)),
         df = df_full,
         ci_low = num(ci_t[1]), ci_high = num(ci_t[2]),
         ci_normal_low = num(ci_n[1]), ci_normal_high = num(ci_n[2]))
  })
  if (!is.null(d$g)) {
    by <- svyby(~score, ~g, des, svymean)
    agree(coef(by), sapply(groups, `[[`, "estimate"), paste(name, "svyby est"))
    agree(confint(by, df = df_full)[, 1], sapply(groups, `[[`, "ci_low"), paste(name, "svyby ci"))
  }
  list(name = name, metric = "mean", data = data_block(d, weighted, stratified),
       options = list(scale = as.integer(scale), level = 0.95),
       expected = list(groups = groups))
}

# ---- differences between groups (b - a, c - a) --------------------------------
# svyby(..., covmat = TRUE) + svycontrast. For survey.design2, svyby's covmat
# is built from the domain influence functions (svyby.survey.design2), so it
# includes the cross-domain covariance that stratification induces; it is
# cross-checked against the full linearisation of svyglm(y ~ g).
# block_diagonal_std_error = sqrt(var_g + var_ref) (covariance ignored) is
# stored only to show how much the covariance term matters.
difference_case <- function(name, metric, d, weighted, stratified, yvar, scale,
                            top = NULL) {
  if (metric == "nps_difference") d <- add_nps_vars(d)
  if (metric == "share_difference") d$top <- as.numeric(d$score %in% top)
  mult <- if (metric == "nps_difference") 100 else 1
  des <- make_design(d, weighted, stratified)
  fml <- as.formula(paste0("~", yvar))
  by <- svyby(fml, ~g, des, svymean, covmat = TRUE)
  by_se <- setNames(as.numeric(SE(by)), names(coef(by)))
  con <- svycontrast(by, list(b = c(a = -1, b = 1), c = c(a = -1, c = 1)))
  fit <- svyglm(as.formula(paste0(yvar, " ~ g")), des)   # g character -> ref "a"
  agree(coef(con), coef(fit)[c("gb", "gc")], paste(name, "svyglm est"))
  agree(SE(con), SE(fit)[c("gb", "gc")], paste(name, "svyglm se"), tol = 1e-8)
  contrasts <- lapply(c("b", "c"), function(k) {
    out <- list(group = k, reference = "a",
                estimate = num(mult * coef(con)[k]),
                std_error = num(mult * SE(con)[k]),
                block_diagonal_std_error = num(mult * sqrt(by_se[k]^2 + by_se["a"]^2)),
                estimate_group = num(mult * coef(by)[k]),
                estimate_reference = num(mult * coef(by)["a"]))
    if (metric == "mean_difference") {
      # two-group design-based t-test on the domain a+b (or a+c)
      tt <- svyttest(as.formula(paste0(yvar, " ~ g")), des[d$g %in% c("a", k), ])
      out$ttest <- list(statistic = num(tt$statistic), df = num(tt$parameter),
                        p_value = num(tt$p.value), estimate = num(tt$estimate))
    }
    out
  })
  opts <- list(reference = "a", scale = as.integer(scale), level = 0.95)
  if (!is.null(top)) opts$top <- as.integer(top)
  list(name = name, metric = metric, data = data_block(d, weighted, stratified),
       options = opts,
       expected = list(contrasts = contrasts, df = degf(des)))
}

# ---- paired (same respondents rate brand A = score and brand B = score_b) ----
paired_case <- function(name, metric, d, weighted, stratified, scale) {
  if (metric == "nps_paired") {
    d$ya <- as.numeric(d$score >= 9) - as.numeric(d$score <= 6)
    d$yb <- as.numeric(d$score_b >= 9) - as.numeric(d$score_b <= 6)
    mult <- 100
  } else {
    d$ya <- as.numeric(d$score); d$yb <- as.numeric(d$score_b); mult <- 1
  }
  d$diff <- d$ya - d$yb
  des <- make_design(d, weighted, stratified)
  m <- svymean(~diff, des)
  ma <- svymean(~ya, des); mb <- svymean(~yb, des)
  tt <- svyttest(I(ya - yb) ~ 0, des)
  agree(tt$estimate, coef(m), paste(name, "ttest estimate"))
  list(name = name, metric = metric, data = data_block(d, weighted, stratified),
       options = list(scale = as.integer(scale), level = 0.95),
       expected = list(
         estimate = num(mult * coef(m)),
         std_error = num(mult * SE(m)),
         estimate_a = num(mult * coef(ma)), std_error_a = num(mult * SE(ma)),
         estimate_b = num(mult * coef(mb)), std_error_b = num(mult * SE(mb)),
         n = nrow(d),
         df = degf(des),
         ttest = list(statistic = num(tt$statistic),
                      df = num(tt$parameter),          # = degf(design) - 1
                      p_value = num(tt$p.value),
                      ci_low = num(mult * tt$conf.int[1]),
                      ci_high = num(mult * tt$conf.int[2]))))
}

simulate_paired <- function(seed, n, values, shape, weighted, stratified, shift_prob) {
  d <- simulate(seed, n, values, list(shape), weighted = weighted, stratified = stratified)
  # brand B: correlated with brand A (same respondent), shifted a little
  d$score_b <- clamp(d$score + sample(-3:3, nrow(d), replace = TRUE, prob = shift_prob),
                     min(values), max(values))
  d
}

# =============================================================================
# Cases
# =============================================================================
cases <- list()
case_seeds <- list()
add <- function(case, seed) {
  cases[[length(cases) + 1]] <<- case
  case_seeds[[case$name]] <<- seed
}
G3 <- c("a", "b", "c"); G4 <- c("a", "b", "c", "d")

# --- NPS ---------------------------------------------------------------------
# plain unweighted SRS NPS (SE = sd(z)/sqrt(n) with n-1 divisor)
s <- BASE_SEED + 1L
add(nps_case("nps_unweighted_overall",
             simulate(s, 400, 0:10, NPS_SHAPES["base"], weighted = FALSE),
             weighted = FALSE, stratified = FALSE), s)
# unequal (lognormal) weights, single stage
s <- BASE_SEED + 2L
add(nps_case("nps_weighted_overall",
             simulate(s, 500, 0:10, NPS_SHAPES["mid"]),
             weighted = TRUE, stratified = FALSE), s)
# weights + 3 strata (variance pooled within strata, df = n - 3)
s <- BASE_SEED + 3L
add(nps_case("nps_weighted_stratified_overall",
             simulate(s, 450, 0:10, NPS_SHAPES["base"], stratified = TRUE),
             weighted = TRUE, stratified = TRUE), s)
# 4 domains, weighted; domain SEs use the whole design
s <- BASE_SEED + 4L
add(nps_case("nps_weighted_by_group",
             simulate(s, 600, 0:10, NPS_SHAPES, groups = G4, group_prob = c(.35, .3, .2, .15)),
             weighted = TRUE, stratified = FALSE), s)
# 3 domains crossed with 3 strata
s <- BASE_SEED + 5L
add(nps_case("nps_weighted_stratified_by_group",
             simulate(s, 550, 0:10, NPS_SHAPES, groups = G3, group_prob = c(.4, .35, .25),
                      stratified = TRUE),
             weighted = TRUE, stratified = TRUE), s)
# unweighted by-group with tiny domains: "d" has n = 2, "e" has n = 1
# (n = 1 -> SE 0, deff undefined -> null)
s <- BASE_SEED + 6L
add(nps_case("nps_unweighted_by_group_tiny_groups",
             simulate(s, 300, 0:10, NPS_SHAPES, groups = G3, group_prob = c(.5, .3, .2),
                      weighted = FALSE, tiny = c(d = 2, e = 1)),
             weighted = FALSE, stratified = FALSE), s)

# --- share (top-box) ---------------------------------------------------------
s <- BASE_SEED + 11L
add(share_case("share_top2_csat_weighted_overall",
               simulate(s, 350, 1:5, CSAT_SHAPES["base"]),
               weighted = TRUE, stratified = FALSE, top = c(4, 5), scale = c(1, 5)), s)
s <- BASE_SEED + 12L
add(share_case("share_top2_csat_weighted_stratified_overall",
               simulate(s, 420, 1:5, CSAT_SHAPES["low"], stratified = TRUE),
               weighted = TRUE, stratified = TRUE, top = c(4, 5), scale = c(1, 5)), s)
s <- BASE_SEED + 13L
add(share_case("share_top2_csat_weighted_by_group",
               simulate(s, 480, 1:5, CSAT_SHAPES, groups = G3, group_prob = c(.45, .35, .2)),
               weighted = TRUE, stratified = FALSE, top = c(4, 5), scale = c(1, 5)), s)
# top-2 on the 0-10 scale (= promoter share); small p -> asymmetric intervals
s <- BASE_SEED + 14L
add(share_case("share_top2_ltr_weighted_overall",
               simulate(s, 200, 0:10, NPS_SHAPES["sad"]),
               weighted = TRUE, stratified = FALSE, top = c(9, 10), scale = c(0, 10)), s)
# stratified by-group: svyciprop df = degf(subset) = n_g - H_g, differs from df
s <- BASE_SEED + 15L
add(share_case("share_top2_csat_weighted_stratified_by_group",
               simulate(s, 400, 1:5, CSAT_SHAPES, groups = G3, group_prob = c(.4, .4, .2),
                        stratified = TRUE),
               weighted = TRUE, stratified = TRUE, top = c(4, 5), scale = c(1, 5)), s)

# --- mean ----------------------------------------------------------------------
s <- BASE_SEED + 21L
add(mean_case("mean_csat_weighted_overall",
              simulate(s, 300, 1:5, CSAT_SHAPES["base"]),
              weighted = TRUE, stratified = FALSE, scale = c(1, 5)), s)
s <- BASE_SEED + 22L
add(mean_case("mean_ces_weighted_stratified_overall",
              simulate(s, 380, 1:7, CES_SHAPES["base"], stratified = TRUE),
              weighted = TRUE, stratified = TRUE, scale = c(1, 7)), s)
s <- BASE_SEED + 23L
add(mean_case("mean_ltr_weighted_by_group",
              simulate(s, 520, 0:10, NPS_SHAPES, groups = G4, group_prob = c(.3, .3, .25, .15)),
              weighted = TRUE, stratified = FALSE, scale = c(0, 10)), s)
s <- BASE_SEED + 24L
add(mean_case("mean_ces_weighted_stratified_by_group",
              simulate(s, 450, 1:7, CES_SHAPES, groups = G3, group_prob = c(.4, .35, .25),
                       stratified = TRUE),
              weighted = TRUE, stratified = TRUE, scale = c(1, 7)), s)
s <- BASE_SEED + 25L
add(mean_case("mean_csat_unweighted_overall",
              simulate(s, 160, 1:5, CSAT_SHAPES["high"], weighted = FALSE),
              weighted = FALSE, stratified = FALSE, scale = c(1, 5)), s)

# --- differences -------------------------------------------------------------
s <- BASE_SEED + 31L
add(difference_case("nps_difference_weighted_by_group", "nps_difference",
                    simulate(s, 500, 0:10, list(NPS_SHAPES$base, NPS_SHAPES$happy, NPS_SHAPES$sad),
                             groups = G3, group_prob = c(.4, .35, .25)),
                    weighted = TRUE, stratified = FALSE, yvar = "z", scale = c(0, 10)), s)
s <- BASE_SEED + 32L
add(difference_case("nps_difference_weighted_stratified_by_group", "nps_difference",
                    simulate(s, 560, 0:10, list(NPS_SHAPES$mid, NPS_SHAPES$happy, NPS_SHAPES$sad),
                             groups = G3, group_prob = c(.35, .35, .3), stratified = TRUE),
                    weighted = TRUE, stratified = TRUE, yvar = "z", scale = c(0, 10)), s)
s <- BASE_SEED + 33L
add(difference_case("share_difference_weighted_by_group", "share_difference",
                    simulate(s, 450, 1:5, list(CSAT_SHAPES$base, CSAT_SHAPES$high, CSAT_SHAPES$low),
                             groups = G3, group_prob = c(.4, .3, .3)),
                    weighted = TRUE, stratified = FALSE, yvar = "top", scale = c(1, 5),
                    top = c(4, 5)), s)
s <- BASE_SEED + 34L
add(difference_case("share_difference_weighted_stratified_by_group", "share_difference",
                    simulate(s, 480, 1:5, list(CSAT_SHAPES$low, CSAT_SHAPES$base, CSAT_SHAPES$high),
                             groups = G3, group_prob = c(.35, .35, .3), stratified = TRUE),
                    weighted = TRUE, stratified = TRUE, yvar = "top", scale = c(1, 5),
                    top = c(4, 5)), s)
s <- BASE_SEED + 35L
add(difference_case("mean_difference_weighted_by_group", "mean_difference",
                    simulate(s, 420, 1:7, list(CES_SHAPES$base, CES_SHAPES$high, CES_SHAPES$low),
                             groups = G3, group_prob = c(.4, .3, .3)),
                    weighted = TRUE, stratified = FALSE, yvar = "score", scale = c(1, 7)), s)
s <- BASE_SEED + 36L
add(difference_case("mean_difference_weighted_stratified_by_group", "mean_difference",
                    simulate(s, 500, 1:5, list(CSAT_SHAPES$base, CSAT_SHAPES$high, CSAT_SHAPES$low),
                             groups = G3, group_prob = c(.35, .35, .3), stratified = TRUE),
                    weighted = TRUE, stratified = TRUE, yvar = "score", scale = c(1, 5)), s)

# --- paired --------------------------------------------------------------------
SHIFT <- c(2, 5, 12, 50, 15, 10, 6)   # score_b - score in -3..3, slight positive skew
s <- BASE_SEED + 41L
add(paired_case("nps_paired_unweighted", "nps_paired",
                simulate_paired(s, 300, 0:10, NPS_SHAPES$base, FALSE, FALSE, SHIFT),
                weighted = FALSE, stratified = FALSE, scale = c(0, 10)), s)
s <- BASE_SEED + 42L
add(paired_case("nps_paired_weighted", "nps_paired",
                simulate_paired(s, 400, 0:10, NPS_SHAPES$mid, TRUE, FALSE, rev(SHIFT)),
                weighted = TRUE, stratified = FALSE, scale = c(0, 10)), s)
s <- BASE_SEED + 43L
add(paired_case("nps_paired_weighted_stratified", "nps_paired",
                simulate_paired(s, 360, 0:10, NPS_SHAPES$base, TRUE, TRUE, SHIFT),
                weighted = TRUE, stratified = TRUE, scale = c(0, 10)), s)
s <- BASE_SEED + 44L
add(paired_case("mean_paired_unweighted", "mean_paired",
                simulate_paired(s, 250, 1:5, CSAT_SHAPES$base, FALSE, FALSE, c(1, 3, 10, 60, 15, 3, 1)),
                weighted = FALSE, stratified = FALSE, scale = c(1, 5)), s)
s <- BASE_SEED + 45L
add(paired_case("mean_paired_weighted", "mean_paired",
                simulate_paired(s, 330, 1:7, CES_SHAPES$base, TRUE, FALSE, c(1, 4, 12, 55, 18, 6, 2)),
                weighted = TRUE, stratified = FALSE, scale = c(1, 7)), s)
s <- BASE_SEED + 46L
add(paired_case("mean_paired_weighted_stratified", "mean_paired",
                simulate_paired(s, 390, 1:5, CSAT_SHAPES$low, TRUE, TRUE, c(1, 3, 10, 60, 15, 3, 1)),
                weighted = TRUE, stratified = TRUE, scale = c(1, 5)), s)

stopifnot(!anyDuplicated(vapply(cases, `[[`, "", "name")))
stopifnot(all(vapply(cases, function(x) length(x$data$score) >= 150 &&
                       length(x$data$score) <= 603, TRUE)))

# =============================================================================
# Write
# =============================================================================
si <- Sys.info()
provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/scores_survey.R",
  command = "Rscript tests/reference/generate/scores_survey.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  os = list(sysname = unname(si["sysname"]), release = unname(si["release"]),
            version = unname(si["version"]), machine = unname(si["machine"])),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = BASE_SEED,
  rng_kind = RNGkind(),
  case_seeds = case_seeds,
  conventions = list(
    nps = "z = (score>=9) - (score<=6); estimate = 100*svymean(~z); std_error = 100*SE",
    domains = "by-group = design[g == level, ] (as svyby); variance uses the full design",
    df = "degf(full design): n-1 unstratified, n-H stratified (ids=~1)",
    ci_low_high = "confint(svymean, df = df): estimate +/- qt(1-alpha/2, df)*SE",
    ci_normal = "confint(svymean): default df = Inf, i.e. qnorm",
    svyciprop = "default df = degf(subsetted design) = n_g - H_g, stored as ci_df",
    deff = "svymean(..., deff = 'replace')",
    contrasts = "svyby(covmat=TRUE) + svycontrast; covmat from domain influence functions (full linearisation, equals svyglm(y ~ g))",
    paired_ttest = "svyttest(I(a-b) ~ 0, design): df = degf(design) - 1"
  )
)

dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
write_json(list(`_provenance` = provenance, cases = cases), out_path,
           digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null")
cat("wrote", length(cases), "cases to", out_path, "\n")
