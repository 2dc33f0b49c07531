#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference fixtures for the cxmetrics gap model (gap, gap_to_target,
# reliability of difference scores, penalty-reward contrast analysis).
#
# Run from the repository root:
#     Rscript tests/reference/generate/gap.R
# Output:
#     tests/reference/data/gap.json   (generated - do not edit)
#
# Simulated datasets are made inline with fixed seeds; the bundled example survey
# is read from src/cxmetrics/datasets/example_survey.csv. Numbers are written at
# full precision (jsonlite digits = NA), never from print().
#
# Conventions:
#   * Paired gap d = e - x on the respondents with both ratings. The design is
#     built on those complete pairs (svydesign on the complete rows), as
#     cxmetrics does. R's svymean(..., na.rm = TRUE) instead keeps the other
#     rows as zero-weight units of the design; that SE is stored as
#     std_error_na_rm for comparison.
#   * Intervals: est +/- qt(1 - alpha/2, df) * SE with df = degf(design) of the
#     domain (units minus strata); unweighted this is t.test(paired = TRUE).
#     svyttest uses df - 1 (stored as svyttest_df / svyttest_p_value).
#   * Penalty-reward: low = rating <= 4, high = rating >= 8 (0-10 scale);
#     classical = lm(y ~ dummies, weights = w); design = svyglm(y ~ dummies,
#     design) with df = degf + 1 - p.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
  library(psych)
})

BASE_SEED <- 20260301L
options(survey.lonely.psu = "fail")

all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
repo <- normalizePath(file.path(script_dir, "..", "..", ".."))
out_path <- file.path(repo, "tests", "reference", "data", "gap.json")
survey_csv <- file.path(repo, "src", "cxmetrics", "datasets", "example_survey.csv")

num <- function(x) { x <- as.numeric(unclass(x)); x[!is.finite(x)] <- NA; x }
cases <- list()
case_seeds <- list()
add <- function(case, seed = NA) {
  cases[[length(cases) + 1]] <<- case
  if (!is.na(seed)) case_seeds[[case$name]] <<- seed
}
clamp <- function(x, lo = 0, hi = 10) as.integer(pmin(pmax(round(x), lo), hi))

make_design <- function(d, weighted, stratified) {
  suppressWarnings({
    if (weighted && stratified) svydesign(ids = ~1, strata = ~s, weights = ~w, data = d)
    else if (weighted) svydesign(ids = ~1, weights = ~w, data = d)
    else if (stratified) svydesign(ids = ~1, strata = ~s, data = d)
    else svydesign(ids = ~1, data = d)
  })
}

# ---- simulate paired ratings -------------------------------------------------
simulate_pairs <- function(seed, n, weighted, stratified, groups = NULL, na_share = 0.05) {
  set.seed(seed)
  level <- rnorm(n)
  d <- data.frame(
    e = clamp(6.5 + 1.8 * (0.5 * level + sqrt(0.75) * rnorm(n))),
    x = clamp(7.5 + 1.5 * (0.3 * level + sqrt(0.91) * rnorm(n)))
  )
  if (weighted) d$w <- round(exp(rnorm(n, 0, 0.5)), 6)
  if (stratified) d$s <- sample(c("s1", "s2", "s3"), n, replace = TRUE, prob = c(.5, .3, .2))
  if (!is.null(groups)) d$g <- sample(groups, n, replace = TRUE)
  miss_e <- sample(n, round(na_share * n))
  miss_x <- sample(n, round(na_share * n))
  d$e[miss_e] <- NA
  d$x[miss_x] <- NA
  d
}

gap_block <- function(des) {
  m <- svymean(~I(e - x), des)
  me <- svymean(~e, des)
  mx <- svymean(~x, des)
  neg <- svymean(~I(as.numeric(e < x)), des)
  pos <- svymean(~I(as.numeric(e > x)), des)
  df <- degf(des)
  se <- num(SE(m))
  q <- qt(0.975, df)
  tt <- svyttest(I(e - x) ~ 0, des)
  list(estimate = num(coef(m)), std_error = se, df = df,
       ci_low = num(coef(m)) - q * se, ci_high = num(coef(m)) + q * se,
       statistic = num(coef(m)) / se, p_value = 2 * pt(-abs(num(coef(m)) / se), df),
       experience = num(coef(me)), expectation = num(coef(mx)),
       share_negative = num(coef(neg)), share_negative_se = num(SE(neg)),
       share_positive = num(coef(pos)),
       svyttest_df = num(tt$parameter), svyttest_p_value = num(tt$p.value),
       n = nrow(des$variables))
}

paired_case <- function(name, seed, n, weighted, stratified, groups = NULL) {
  d <- simulate_pairs(seed, n, weighted, stratified, groups)
  cc <- d[!is.na(d$e) & !is.na(d$x), ]
  des <- make_design(cc, weighted, stratified)
  full <- make_design(d, weighted, stratified)
  out <- list(name = name, kind = "paired",
              data = list(e = d$e, x = d$x,
                          w = if (weighted) d$w else NULL,
                          s = if (stratified) d$s else NULL,
                          g = if (!is.null(groups)) d$g else NULL),
              expected = list())
  if (is.null(groups)) {
    res <- gap_block(des)
    res$std_error_na_rm <- num(SE(svymean(~I(e - x), full, na.rm = TRUE)))
    if (!weighted && !stratified) {
      tt <- t.test(cc$e, cc$x, paired = TRUE)
      res$t_test <- list(estimate = num(tt$estimate), statistic = num(tt$statistic),
                         df = num(tt$parameter), p_value = num(tt$p.value),
                         ci_low = num(tt$conf.int[1]), ci_high = num(tt$conf.int[2]))
    }
    out$expected$groups <- list(c(list(group = "all"), res))
  } else {
    by <- svyby(~I(e - x), ~g, des, svymean)
    rows <- list()
    for (lev in sort(unique(cc$g))) {
      sub <- des[cc$g == lev, ]
      res <- gap_block(sub)
      res$svyby_estimate <- num(unname(coef(by))[by$g == lev])
      res$svyby_std_error <- num(unname(SE(by))[by$g == lev])
      rows[[length(rows) + 1]] <- c(list(group = lev), res)
    }
    out$expected$groups <- rows
  }
  out
}

add(paired_case("gap_paired_unweighted", BASE_SEED + 1L, 200, FALSE, FALSE), BASE_SEED + 1L)
add(paired_case("gap_paired_weighted", BASE_SEED + 2L, 300, TRUE, FALSE), BASE_SEED + 2L)
add(paired_case("gap_paired_weighted_stratified", BASE_SEED + 3L, 360, TRUE, TRUE), BASE_SEED + 3L)
add(paired_case("gap_paired_weighted_by_group", BASE_SEED + 4L, 420, TRUE, FALSE,
                groups = c("a", "b", "c")), BASE_SEED + 4L)

# ---- gap to a fixed target ------------------------------------------------------
target_case <- function(name, seed, n, weighted, target) {
  d <- simulate_pairs(seed, n, weighted, FALSE, na_share = 0)
  des <- make_design(d, weighted, FALSE)
  m <- svymean(~e, des)
  se <- num(SE(m)); df <- degf(des); est <- num(coef(m)) - target
  res <- list(group = "all", estimate = est, std_error = se, df = df,
              statistic = est / se, p_value = 2 * pt(-abs(est / se), df),
              ci_low = est - qt(0.975, df) * se, ci_high = est + qt(0.975, df) * se,
              share_negative = num(coef(svymean(~I(as.numeric(e < target)), des))))
  if (!weighted) {
    tt <- t.test(d$e, mu = target)
    res$t_test <- list(statistic = num(tt$statistic), df = num(tt$parameter),
                       p_value = num(tt$p.value))
  }
  list(name = name, kind = "target", target = target,
       data = list(e = d$e, w = if (weighted) d$w else NULL),
       expected = list(groups = list(res)))
}
add(target_case("target_unweighted", BASE_SEED + 11L, 150, FALSE, 8), BASE_SEED + 11L)
add(target_case("target_weighted", BASE_SEED + 12L, 250, TRUE, 7), BASE_SEED + 12L)

# ---- the bundled example survey -----------------------------------------------
sv <- read.csv(survey_csv)
ATTR <- c("product", "service", "relationship", "price", "convenience", "brand_image")
sv$expct_price[sv$expct_price == 99] <- NA
rows <- list()
for (a in ATTR) {
  cc <- data.frame(e = sv[[paste0("exp_", a)]], x = sv[[paste0("expct_", a)]], w = sv$weight)
  cc <- cc[!is.na(cc$e) & !is.na(cc$x), ]
  rows[[length(rows) + 1]] <- c(list(attribute = a), gap_block(make_design(cc, TRUE, FALSE)))
}
add(list(name = "example_survey_gaps_weighted", kind = "example_survey",
         options = list(weights = "weight", na_values = list(99)),
         expected = list(attributes = rows)))

# index reliability (alpha of each side, Lord's formula on the sums), unweighted
items <- sv[, c(paste0("exp_", ATTR), paste0("expct_", ATTR))]
items <- items[complete.cases(items), ]
ae <- psych::alpha(items[, paste0("exp_", ATTR)], warnings = FALSE)$total$raw_alpha
ax <- psych::alpha(items[, paste0("expct_", ATTR)], warnings = FALSE)$total$raw_alpha
se_ <- rowSums(items[, paste0("exp_", ATTR)]); sx_ <- rowSums(items[, paste0("expct_", ATTR)])
r <- cor(se_, sx_); ve <- var(se_); vx <- var(sx_)
lord <- (ve * ae + vx * ax - 2 * sqrt(ve * vx) * r) / (ve + vx - 2 * sqrt(ve * vx) * r)
add(list(name = "example_survey_index_reliability", kind = "reliability",
         expected = list(alpha_experience = ae, alpha_reference = ax, correlation = r,
                         reliability_gap = lord, n = nrow(items))))

# ---- penalty-reward contrast analysis -----------------------------------------
dummies <- function(d, attrs, low = 4, high = 8) {
  out <- data.frame(y = d$y)
  for (a in attrs) {
    out[[paste0(a, "_low")]] <- as.numeric(d[[a]] <= low)
    out[[paste0(a, "_high")]] <- as.numeric(d[[a]] >= high)
  }
  if (!is.null(d$w)) out$w <- d$w
  if (!is.null(d$s)) out$s <- d$s
  out
}
coef_block <- function(fit, df, vc) {
  b <- coef(fit); se <- sqrt(diag(vc))
  list(term = names(b), estimate = num(b), std_error = num(se),
       p_value = num(2 * pt(-abs(b / se), df)), df = df)
}
prca_case <- function(name, seed, n, weighted, stratified) {
  set.seed(seed)
  q <- rnorm(n)
  d <- data.frame(a1 = clamp(6 + 2 * (0.6 * q + 0.8 * rnorm(n))),
                  a2 = clamp(6.5 + 2 * (0.5 * q + sqrt(0.75) * rnorm(n))),
                  a3 = clamp(5.5 + 2.2 * rnorm(n)))
  d$y <- 6 - 1.2 * (d$a1 <= 4) + 0.2 * (d$a1 >= 8) + 1.0 * (d$a2 >= 8) -
    0.5 * (d$a3 <= 4) + 0.5 * (d$a3 >= 8) + rnorm(n)
  if (weighted) d$w <- round(exp(rnorm(n, 0, 0.5)), 6)
  if (stratified) d$s <- sample(c("s1", "s2", "s3"), n, replace = TRUE)
  d$y[sample(n, 5)] <- NA
  d$a2[sample(n, 5)] <- NA
  cc <- d[complete.cases(d[, c("y", "a1", "a2", "a3")]), ]
  dd <- dummies(cc, c("a1", "a2", "a3"))
  f <- y ~ a1_low + a1_high + a2_low + a2_high + a3_low + a3_high
  fit_lm <- if (weighted) lm(f, data = dd, weights = w) else lm(f, data = dd)
  expected <- list(classical = coef_block(fit_lm, fit_lm$df.residual, vcov(fit_lm)),
                   r_squared = summary(fit_lm)$r.squared, n = nrow(dd))
  if (weighted || stratified) {
    des <- make_design(dd, weighted, stratified)
    fit_svy <- svyglm(f, des)
    expected$design <- coef_block(fit_svy, fit_svy$df.residual, vcov(fit_svy))
  }
  list(name = name, kind = "prca",
       data = list(a1 = d$a1, a2 = d$a2, a3 = d$a3, y = d$y,
                   w = if (weighted) d$w else NULL, s = if (stratified) d$s else NULL),
       expected = expected)
}
add(prca_case("prca_unweighted", BASE_SEED + 21L, 500, FALSE, FALSE), BASE_SEED + 21L)
add(prca_case("prca_weighted", BASE_SEED + 22L, 600, TRUE, FALSE), BASE_SEED + 22L)
add(prca_case("prca_weighted_stratified", BASE_SEED + 23L, 650, TRUE, TRUE), BASE_SEED + 23L)

sv_cc <- sv[complete.cases(sv[, c("satisfaction", paste0("exp_", ATTR))]), ]
names(sv_cc)[names(sv_cc) == "satisfaction"] <- "y"
dd <- dummies(setNames(sv_cc[, c("y", paste0("exp_", ATTR))], c("y", ATTR)), ATTR)
f <- as.formula(paste("y ~", paste(paste0(rep(ATTR, each = 2), c("_low", "_high")), collapse = " + ")))
fit <- lm(f, data = dd)
add(list(name = "example_survey_prca_unweighted", kind = "example_survey_prca",
         expected = list(classical = coef_block(fit, fit$df.residual, vcov(fit)),
                         r_squared = summary(fit)$r.squared, n = nrow(dd))))

# ---- write ----------------------------------------------------------------------
si <- Sys.info()
provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/gap.R",
  command = "Rscript tests/reference/generate/gap.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  psych_version = as.character(packageVersion("psych")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  os = list(sysname = unname(si["sysname"]), release = unname(si["release"]),
            machine = unname(si["machine"])),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = BASE_SEED,
  rng_kind = RNGkind(),
  case_seeds = case_seeds,
  conventions = list(
    paired = "d = e - x on complete pairs; design built on the complete rows",
    na_rm = "std_error_na_rm = SE(svymean(~I(e-x), full design, na.rm=TRUE)) (zero-weight units kept)",
    df = "degf(design) of the domain: units minus strata; t.test(paired=TRUE) when unweighted",
    svyttest = "svyttest(I(e-x) ~ 0) uses degf - 1",
    prca = "low = rating <= 4, high >= 8; lm(weights=) classical, svyglm design (df = degf + 1 - p)",
    reliability = "psych::alpha raw_alpha per side; Lord (1958) on the item sums"
  )
)
write_json(list(`_provenance` = provenance, cases = cases), out_path,
           digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null")
cat("wrote", length(cases), "cases to", out_path, "\n")
