#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference fixtures for cxmetrics structural equation models, computed with
# R `lavaan` (sem(), likelihood = "normal", estimator ML).
#
# Run from the repository root:
#     Rscript tests/reference/generate/sem.R
# Output (generated - do not edit):
#     tests/reference/data/sem.json
#     tests/reference/data/political_democracy.csv     (lavaan::PoliticalDemocracy)
#     tests/reference/data/holzinger_swineford.csv     (lavaan::HolzingerSwineford1939)
#     tests/reference/data/sem_measurement.json        (by sem_measurement.R, run last)
#
# The ACSI cases read the bundled example file src/cxmetrics/datasets/acsi_survey.csv
# (cxmetrics.datasets make_acsi_survey() with its default seed).
#
# Every number is written at full precision with jsonlite (digits = NA); nothing
# is taken from print(). Conventions:
#   * sem() defaults: auto.fix.first, auto.var, auto.cov.lv.x, auto.cov.y,
#     fixed.x = TRUE, meanstructure = FALSE, information = "expected",
#     likelihood = "normal" (sample covariance with divisor N).
#   * missing = "listwise" (lavaan's default for complete-case ML): rows with a
#     missing value in any model variable are dropped.
#   * "robust" cases: se = "robust.huber.white" (information = "observed");
#     with sampling.weights lavaan uses the weighted covariance (weights
#     normalised to sum to N), robust.huber.white SEs and the
#     "yuan.bentler.mplus" scaled test.
#   * standardized = standardizedSolution(type = "std.all") with delta-method SEs.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

SEED <- 20261123L
set.seed(SEED)

all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
data_dir <- normalizePath(file.path(script_dir, "..", "data"))
repo_dir <- normalizePath(file.path(script_dir, "..", "..", ".."))
out_path <- file.path(data_dir, "sem.json")

num <- function(x) {
  x <- as.numeric(unclass(x))
  x[!is.finite(x)] <- NA
  x
}

# ---- data sets -----------------------------------------------------------------
pd_data <- lavaan::PoliticalDemocracy
hs_data <- lavaan::HolzingerSwineford1939
write.csv(pd_data, file.path(data_dir, "political_democracy.csv"), row.names = FALSE)
write.csv(hs_data, file.path(data_dir, "holzinger_swineford.csv"), row.names = FALSE)
acsi_path <- file.path(repo_dir, "src", "cxmetrics", "datasets", "acsi_survey.csv")
acsi_data <- read.csv(acsi_path)

# ---- models ----------------------------------------------------------------------
MODELS <- list(
  political_democracy = '
    # measurement model
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
    # regressions
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
    # residual correlations
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
  ',
  political_democracy_equal = '
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + a*y2 + b*y3 + c*y4
    dem65 =~ y5 + a*y6 + b*y7 + c*y8
    dem60 ~ g1*ind60
    dem65 ~ g2*ind60 + g3*dem60
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
    indirect := g1*g3
    total := g2 + g1*g3
  ',
  holzinger_swineford = '
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 + x6
    speed   =~ x7 + x8 + x9
  ',
  mimic_fixed_x = '
    dem60 =~ y1 + y2 + y3 + y4
    dem60 ~ x1 + x2 + x3
  ',
  acsi = '
    expectation  =~ expect_1 + expect_2 + expect_3
    quality      =~ quality_1 + quality_2 + quality_3
    value        =~ value_1 + value_2
    satisfaction =~ satisfaction_1 + satisfaction_2 + satisfaction_3
    complaints   =~ complained
    loyalty      =~ loyalty_1 + loyalty_2
    quality      ~ eq*expectation
    value        ~ ev*expectation + qv*quality
    satisfaction ~ es*expectation + qs*quality + vs*value
    complaints   ~ sc*satisfaction
    loyalty      ~ sl*satisfaction + cl*complaints
    sat_on_loyalty := sl + sc*cl
    quality_on_loyalty := (qs + qv*vs)*(sl + sc*cl)
    expectation_on_satisfaction := es + eq*qs + ev*vs + eq*qv*vs
  ',
  ecsi = '
    image        =~ image_1 + image_2 + image_3
    expectation  =~ expect_1 + expect_2 + expect_3
    quality      =~ quality_1 + quality_2 + quality_3
    value        =~ value_1 + value_2
    satisfaction =~ satisfaction_1 + satisfaction_2 + satisfaction_3
    loyalty      =~ loyalty_1 + loyalty_2
    expectation  ~ image
    quality      ~ expectation
    value        ~ expectation + quality
    satisfaction ~ image + expectation + quality + value
    loyalty      ~ image + satisfaction
  '
)

CASES <- list(
  list(name = "political_democracy", model = "political_democracy",
       data = "political_democracy.csv", source = pd_data, se = "standard",
       weights = NULL,
       reference = "lavaan tutorial, 'A structural equation model': chisq 38.125, df 35"),
  list(name = "political_democracy_equal", model = "political_democracy_equal",
       data = "political_democracy.csv", source = pd_data, se = "standard",
       weights = NULL,
       reference = "lavaan tutorial, equality constraints: chisq 40.179, df 38"),
  list(name = "political_democracy_robust", model = "political_democracy",
       data = "political_democracy.csv", source = pd_data,
       se = "robust.huber.white", weights = NULL,
       reference = "sandwich SEs (information = observed)"),
  list(name = "holzinger_swineford", model = "holzinger_swineford",
       data = "holzinger_swineford.csv", source = hs_data, se = "standard",
       weights = NULL,
       reference = "lavaan tutorial, 'A CFA example': chisq 85.306, df 24"),
  list(name = "mimic_fixed_x", model = "mimic_fixed_x",
       data = "political_democracy.csv", source = pd_data, se = "standard",
       weights = NULL,
       reference = "exogenous observed covariates, fixed.x = TRUE"),
  list(name = "acsi", model = "acsi",
       data = "../../../src/cxmetrics/datasets/acsi_survey.csv", source = acsi_data,
       se = "standard", weights = NULL,
       reference = "ACSI model (Fornell et al. 1996) on the bundled simulated survey"),
  list(name = "acsi_weighted", model = "acsi",
       data = "../../../src/cxmetrics/datasets/acsi_survey.csv", source = acsi_data,
       se = "robust.huber.white", weights = "weight",
       reference = "sampling.weights: weighted covariance, robust SEs"),
  list(name = "ecsi", model = "ecsi",
       data = "../../../src/cxmetrics/datasets/acsi_survey.csv", source = acsi_data,
       se = "standard", weights = NULL,
       reference = "ECSI model (adds image) on the bundled simulated survey")
)

run_case <- function(case) {
  model <- MODELS[[case$model]]
  args <- list(model = model, data = case$source, se = case$se)
  if (!is.null(case$weights)) args$sampling.weights <- case$weights
  t0 <- Sys.time()
  fit <- do.call("sem", args)
  elapsed <- as.numeric(Sys.time() - t0, units = "secs")
  pe <- parameterEstimates(fit, ci = TRUE, level = 0.95, standardized = FALSE,
                           remove.nonfree = FALSE, remove.def = FALSE,
                           remove.eq = TRUE, remove.ineq = TRUE)
  ss <- standardizedSolution(fit, type = "std.all", se = TRUE, zstat = TRUE,
                             pvalue = TRUE, ci = TRUE, level = 0.95,
                             remove.eq = TRUE, remove.ineq = TRUE,
                             remove.def = FALSE)
  pt <- parTable(fit)
  pt <- pt[pt$op %in% c("=~", "~", "~~", ":="), ]
  key_pe <- paste(pe$lhs, pe$op, pe$rhs)
  key_ss <- paste(ss$lhs, ss$op, ss$rhs)
  key_pt <- paste(pt$lhs, pt$op, pt$rhs)
  ss <- ss[match(key_pe, key_ss), ]
  pt <- pt[match(key_pe, key_pt), ]
  parameters <- data.frame(
    lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
    label = if (is.null(pe$label)) "" else pe$label,
    free = pt$free > 0, user = pt$user == 1, exo = pt$exo == 1,
    est = num(pe$est), se = num(pe$se), z = num(pe$z), pvalue = num(pe$pvalue),
    ci_lower = num(pe$ci.lower), ci_upper = num(pe$ci.upper),
    std_all = num(ss$est.std), std_all_se = num(ss$se),
    std_all_z = num(ss$z), std_all_pvalue = num(ss$pvalue),
    std_all_ci_lower = num(ss$ci.lower), std_all_ci_upper = num(ss$ci.upper),
    stringsAsFactors = FALSE
  )
  fm <- fitMeasures(fit)
  fit_list <- as.list(num(fm))
  names(fit_list) <- names(fm)
  r2 <- lavInspect(fit, "r2")
  sampstat <- lavInspect(fit, "sampstat")
  vars <- lavNames(fit, "ov")
  out <- list(
    name = case$name,
    reference = case$reference,
    data = case$data,
    model = model,
    options = list(se = case$se, weights = case$weights,
                   estimator = lavInspect(fit, "options")$estimator,
                   information = lavInspect(fit, "options")$information[1],
                   test = lavInspect(fit, "options")$test,
                   likelihood = lavInspect(fit, "options")$likelihood,
                   missing = lavInspect(fit, "options")$missing),
    nobs = lavInspect(fit, "nobs"),
    converged = lavInspect(fit, "converged"),
    iterations = lavInspect(fit, "iterations"),
    seconds = elapsed,
    observed = vars,
    sample_cov = unname(lapply(seq_along(vars), function(i)
      num(sampstat$cov[vars[i], vars]))),
    parameters = parameters,
    fit = fit_list,
    r2 = as.list(num(r2)) |> setNames(names(r2))
  )
  out
}

cases <- lapply(CASES, run_case)
names(cases) <- NULL

provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/sem.R",
  command = "Rscript tests/reference/generate/sem.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  lavaan_version = as.character(packageVersion("lavaan")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  os = as.list(Sys.info()[c("sysname", "release", "version", "machine")]),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = SEED,
  data = list(
    political_democracy = "lavaan::PoliticalDemocracy (Bollen 1989), written by write.csv",
    holzinger_swineford = "lavaan::HolzingerSwineford1939, written by write.csv",
    acsi = "src/cxmetrics/datasets/acsi_survey.csv (cxmetrics make_acsi_survey(), seed 20260103)"
  )
)

write_json(list(`_provenance` = provenance, cases = cases), out_path,
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null", null = "null")
cat("wrote", out_path, "\n")

# ---- measurement-quality fixtures (psych, semTools) -----------------------------------
# Run in a fresh environment so that both scripts stay self-contained.
status <- system2(file.path(R.home("bin"), "Rscript"),
                  shQuote(file.path(script_dir, "sem_measurement.R")))
if (status != 0) stop("sem_measurement.R failed")
