#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference fixtures for cxmetrics.measurement, computed with R psych and
# semTools (and lavaan for the CFAs semTools needs).
#
# Run from the repository root (after tests/reference/generate/sem.R, which
# writes the HolzingerSwineford1939 CSV):
#     Rscript tests/reference/generate/sem_measurement.R
# Output (generated - do not edit):
#     tests/reference/data/sem_measurement.json
#
# Data: lavaan::HolzingerSwineford1939 (x1-x9) and the bundled ACSI survey
# (src/cxmetrics/datasets/acsi_survey.csv), complete rows of the items used.
#
# Conventions:
#   * psych::alpha(x): raw_alpha, std.alpha, average_r, ase (Duhachek's
#     asymptotic SE), the Feldt interval (alpha.ci, 95%), alpha.drop and
#     item.stats (r.cor, r.drop).
#   * psych::fa(x, nfactors, fm, rotate): loadings (pattern), communalities,
#     uniquenesses, Phi, Vaccounted. psych orders factors by their sum of
#     squared loadings and flips signs to positive column sums; rotations come
#     from GPArotation (oblimin, normalize = FALSE) or stats::varimax /
#     psych::Promax (Kaiser normalization).
#   * psych::KMO, psych::cortest.bartlett on the correlation matrix.
#   * psych::omega(x, nfactors = 3, plot = FALSE): omega_h, omega.tot, alpha.
#   * psych::fa.parallel: only the suggested numbers (random simulation).
#   * semTools::compRelSEM (obs.var = TRUE, tau.eq = FALSE), semTools::AVE,
#     semTools::htmt (absolute = TRUE; htmt2 = TRUE, the default, geometric
#     means, and htmt2 = FALSE, arithmetic means) on lavaan::cfa() fits.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(psych)
  library(semTools)
  library(lavaan)
  library(GPArotation)
  library(jsonlite)
})

SEED <- 20261124L
set.seed(SEED)

all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
data_dir <- normalizePath(file.path(script_dir, "..", "data"))
repo_dir <- normalizePath(file.path(script_dir, "..", "..", ".."))
out_path <- file.path(data_dir, "sem_measurement.json")

num <- function(x) {
  x <- as.numeric(unclass(x))
  x[!is.finite(x)] <- NA
  x
}
mat <- function(m) unname(lapply(seq_len(nrow(m)), function(i) num(m[i, ])))

hs_all <- read.csv(file.path(data_dir, "holzinger_swineford.csv"))
acsi_all <- read.csv(file.path(repo_dir, "src", "cxmetrics", "datasets", "acsi_survey.csv"))
DATA <- list(
  holzinger_swineford = list(frame = hs_all, file = "holzinger_swineford.csv"),
  acsi = list(frame = acsi_all,
              file = "../../../src/cxmetrics/datasets/acsi_survey.csv")
)
HS_ITEMS <- paste0("x", 1:9)
ACSI_ITEMS <- c("expect_1", "expect_2", "expect_3", "quality_1", "quality_2",
                "quality_3", "value_1", "value_2", "satisfaction_1",
                "satisfaction_2", "satisfaction_3", "loyalty_1", "loyalty_2")

items_of <- function(data, items) {
  d <- DATA[[data]]$frame[, items]
  d[complete.cases(d), , drop = FALSE]
}

# ---- alpha ----------------------------------------------------------------------
alpha_case <- function(name, data, items) {
  x <- items_of(data, items)
  a <- suppressWarnings(psych::alpha(x))
  list(
    name = name, data = DATA[[data]]$file, items = items, n = nrow(x),
    raw_alpha = num(a$total$raw_alpha), std_alpha = num(a$total$std.alpha),
    average_r = num(a$total$average_r), ase = num(a$total$ase),
    feldt_lower = num(a$feldt$lower.ci), feldt_upper = num(a$feldt$upper.ci),
    drop_raw_alpha = num(a$alpha.drop$raw_alpha),
    drop_std_alpha = num(a$alpha.drop$std.alpha),
    drop_average_r = num(a$alpha.drop$average_r),
    r_cor = num(a$item.stats$r.cor), r_drop = num(a$item.stats$r.drop)
  )
}
ALPHA <- list(
  alpha_case("hs_visual", "holzinger_swineford", c("x1", "x2", "x3")),
  alpha_case("hs_textual", "holzinger_swineford", c("x4", "x5", "x6")),
  alpha_case("hs_speed", "holzinger_swineford", c("x7", "x8", "x9")),
  alpha_case("acsi_satisfaction", "acsi",
             c("satisfaction_1", "satisfaction_2", "satisfaction_3")),
  alpha_case("acsi_quality", "acsi", c("quality_1", "quality_2", "quality_3"))
)

# ---- EFA ------------------------------------------------------------------------
fa_case <- function(name, data, items, nfactors, fm, rotate) {
  x <- items_of(data, items)
  f <- suppressWarnings(fa(x, nfactors = nfactors, fm = fm, rotate = rotate))
  L <- unclass(f$loadings)
  list(
    name = name, data = DATA[[data]]$file, items = items, n = nrow(x),
    nfactors = nfactors, fm = fm, rotate = rotate,
    loadings = mat(L), factor_names = colnames(L),
    communality = num(f$communality), uniquenesses = num(f$uniquenesses),
    phi = if (is.null(f$Phi)) NULL else mat(f$Phi),
    ss_loadings = num(f$Vaccounted["SS loadings", ]),
    objective = num(f$objective), values = num(f$values)
  )
}
FA <- list()
for (fm in c("minres", "ml")) {
  for (rotate in c("none", "varimax", "oblimin", "promax")) {
    FA[[length(FA) + 1]] <- fa_case(paste("hs", fm, rotate, sep = "_"),
                                     "holzinger_swineford", HS_ITEMS, 3, fm, rotate)
  }
}
FA[[length(FA) + 1]] <- fa_case("acsi_minres_oblimin", "acsi", ACSI_ITEMS, 5,
                                "minres", "oblimin")
FA[[length(FA) + 1]] <- fa_case("acsi_ml_varimax", "acsi", ACSI_ITEMS, 5,
                                "ml", "varimax")
FA[[length(FA) + 1]] <- fa_case("hs_minres_one_factor", "holzinger_swineford",
                                HS_ITEMS, 1, "minres", "none")

# ---- KMO, Bartlett, parallel analysis, omega -------------------------------------
adequacy_case <- function(name, data, items) {
  x <- items_of(data, items)
  r <- cor(x)
  k <- KMO(r)
  b <- cortest.bartlett(r, n = nrow(x))
  set.seed(SEED)
  pa <- suppressWarnings(fa.parallel(x, fm = "minres", fa = "both", plot = FALSE))
  om <- suppressWarnings(omega(x, nfactors = 3, plot = FALSE))
  list(
    name = name, data = DATA[[data]]$file, items = items, n = nrow(x),
    kmo = num(k$MSA), kmo_items = num(k$MSAi),
    bartlett_chisq = num(b$chisq), bartlett_df = num(b$df),
    bartlett_p = num(b$p.value),
    parallel_nfact = num(pa$nfact), parallel_ncomp = num(pa$ncomp),
    parallel_fa_values = num(pa$fa.values), parallel_pc_values = num(pa$pc.values),
    omega_h = num(om$omega_h), omega_total = num(om$omega.tot),
    omega_alpha = num(om$alpha),
    omega_g_loadings = num(om$schmid$sl[, "g"])
  )
}
ADEQUACY <- list(
  adequacy_case("holzinger_swineford", "holzinger_swineford", HS_ITEMS),
  adequacy_case("acsi", "acsi", ACSI_ITEMS)
)

# ---- semTools on CFAs -----------------------------------------------------------
cfa_case <- function(name, data, model, constructs) {
  d <- DATA[[data]]$frame
  fit <- cfa(model, data = d)
  rel <- compRelSEM(fit)
  ave <- AVE(fit)
  h <- htmt(model, data = d)                    # htmt2 = TRUE: geometric means
  h1 <- htmt(model, data = d, htmt2 = FALSE)    # Henseler et al. (2015): arithmetic
  list(
    name = name, data = DATA[[data]]$file, model = model,
    constructs = constructs, n = lavInspect(fit, "nobs"),
    omega = as.list(num(rel)) |> setNames(names(rel)),
    ave = as.list(num(ave)) |> setNames(names(ave)),
    htmt = mat(unclass(h)), htmt_arithmetic = mat(unclass(h1)),
    htmt_names = rownames(h)
  )
}
CFA <- list(
  cfa_case("holzinger_swineford", "holzinger_swineford",
           "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
           list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                speed = c("x7", "x8", "x9"))),
  cfa_case("acsi", "acsi",
           paste("expectation =~ expect_1 + expect_2 + expect_3",
                 "quality =~ quality_1 + quality_2 + quality_3",
                 "value =~ value_1 + value_2",
                 "satisfaction =~ satisfaction_1 + satisfaction_2 + satisfaction_3",
                 "loyalty =~ loyalty_1 + loyalty_2", sep = "\n"),
           list(expectation = c("expect_1", "expect_2", "expect_3"),
                quality = c("quality_1", "quality_2", "quality_3"),
                value = c("value_1", "value_2"),
                satisfaction = c("satisfaction_1", "satisfaction_2", "satisfaction_3"),
                loyalty = c("loyalty_1", "loyalty_2")))
)

provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/sem_measurement.R",
  command = "Rscript tests/reference/generate/sem_measurement.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  psych_version = as.character(packageVersion("psych")),
  semTools_version = as.character(packageVersion("semTools")),
  lavaan_version = as.character(packageVersion("lavaan")),
  GPArotation_version = as.character(packageVersion("GPArotation")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  os = as.list(Sys.info()[c("sysname", "release", "version", "machine")]),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = SEED
)

write_json(list(`_provenance` = provenance, alpha = ALPHA, fa = FA,
                adequacy = ADEQUACY, cfa = CFA),
           out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null",
           null = "null")
cat("wrote", out_path, "\n")
