#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference fixtures for cxmetrics business impact (cost of negative experience
# and the X + O linkage of NPS to an operational outcome).
#
# Run from the repository root:
#     Rscript tests/reference/generate/impact.R
# Output:
#     tests/reference/data/impact.json   (generated - do not edit)
#
# Self-contained: the linkage datasets are simulated inline (fixed seeds) and
# written into the JSON; numbers are written at full precision with
# jsonlite::write_json(digits = NA); nothing is taken from print().
#
# Part 1, the cost of negative experience (complaint iceberg):
#   * the published worked example (annual revenue 50,000,000; 22% negative;
#     2% of those complain; complainers 34% at risk / 28% lost / 38% retained;
#     silent 55% at risk / 45% lost) with the figures the text states, and the
#     same products recomputed here;
#   * scenarios: recovery rate raised (the recovered share is taken from
#     "lost" and "at risk" in proportion to their sizes), complaint rate
#     raised, negative rate lowered, all three together;
#   * delta-method standard errors when the rates are estimated from samples of
#     stated size: binomial variances for the two rates, multinomial
#     covariances for the outcome shares, independent blocks; gradients by
#     symbolic differentiation (stats::deriv), an implementation independent
#     of cxmetrics' complex-step gradients.
#
# Part 2, X + O linkage (survey 4.1.1, sandwich, lmtest):
#   * outcome by NPS group (detractors 0-6, passives 7-8, promoters 9-10):
#     svyby(~y, ~grp, des, svymean, covmat = TRUE); differences by svycontrast;
#   * revenue at stake if detractors behaved like passives:
#       per customer  s = p_D * (ybar_P - ybar_D)
#                       = svycontrast(svymean(~dD + dP + yD + yP), dD * yP / dP - yD)
#       total         T = svycontrast(svytotal(~dD + dP + yD + yP), dD * yP / dP - yD)
#     with dD, dP group indicators and yD = dD * y, yP = dP * y;
#   * customer-level regression lm(y ~ x, weights = w), x = 100 * z (z = +1
#     promoter, 0 passive, -1 detractor; slope = change per NPS point) or x =
#     the 0-10 score; sandwich::vcovHC(type = "HC0" .. "HC3"); lmtest::coeftest
#     (t on df.residual) and coefci; and svyglm(y ~ x, des) for comparison;
#   * segment-level regression: segment NPS (100 * svyby(~z, ~seg, svymean))
#     and mean outcome (svyby(~y, ~seg, svymean)), then
#     lm(ybar ~ nps, weights = W_seg) (W_seg = sum of weights in the segment)
#     and lm(ybar ~ nps) (equal weights), vcovHC HC0..HC3; the reliability of
#     segment NPS as a regressor, lambda = 1 - sum(W SE^2) / sum(W (nps -
#     nps_bar_W)^2) (weights W normalised; equal weights for the unweighted
#     fit), and the attenuation-corrected slope b / lambda.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
  library(sandwich)
  library(lmtest)
})

BASE_SEED <- 20260808L
set.seed(BASE_SEED)
options(survey.lonely.psu = "fail")

# ---- locate paths ------------------------------------------------------------
all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
out_path <- file.path(normalizePath(file.path(script_dir, "..")), "data", "impact.json")

num <- function(x) {
  x <- as.numeric(unclass(x))
  x[!is.finite(x)] <- NA
  x
}
mat <- function(m) unname(lapply(seq_len(nrow(m)), function(i) num(m[i, ])))
agree <- function(a, b, what, tol = 1e-10) {
  a <- as.numeric(a); b <- as.numeric(b)
  if (!isTRUE(all.equal(a, b, tolerance = tol)))
    stop("cross-check failed: ", what, ": ", paste(a, collapse = ","), " vs ",
         paste(b, collapse = ","))
}

# =============================================================================
# Part 1: cost of negative experience
# =============================================================================
# Parameters: q negative rate, c complaint rate, complainer outcomes
# (ca at risk, cl lost, cr retained), silent outcomes (sa at risk, sl lost).
OUTPUTS <- list(
  revenue_lost_complainers    = quote(R * q * c * cl),
  revenue_at_risk_complainers = quote(R * q * c * ca),
  revenue_retained_complainers = quote(R * q * c * cr),
  revenue_lost_silent         = quote(R * q * (1 - c) * sl),
  revenue_at_risk_silent      = quote(R * q * (1 - c) * sa),
  revenue_lost_total          = quote(R * q * c * cl + R * q * (1 - c) * sl),
  revenue_at_risk_total       = quote(R * q * c * ca + R * q * (1 - c) * sa),
  revenue_lost_silent_share_of_revenue = quote(q * (1 - c) * sl)
)
PARAMS <- c("q", "c", "ca", "cl", "cr", "sa", "sl")

evaluate <- function(expr, p) eval(expr, as.list(p))

gradient <- function(expr, p) {
  g <- deriv(expr, PARAMS, function.arg = FALSE)
  val <- eval(g, as.list(p))
  num(attr(val, "gradient"))
}

param_cov <- function(p, n) {
  V <- matrix(0, length(PARAMS), length(PARAMS), dimnames = list(PARAMS, PARAMS))
  V["q", "q"] <- p[["q"]] * (1 - p[["q"]]) / n$negative_rate
  V["c", "c"] <- p[["c"]] * (1 - p[["c"]]) / n$complaint_rate
  co <- c("ca", "cl", "cr")
  pc <- unlist(p[co])
  V[co, co] <- (diag(pc) - pc %*% t(pc)) / n$complainer_outcomes
  so <- c("sa", "sl")
  ps <- unlist(p[so])
  V[so, so] <- (diag(ps) - ps %*% t(ps)) / n$silent_outcomes
  V
}

inputs <- list(revenue = 50000000, negative_rate = 0.22, complaint_rate = 0.02,
               complainer_outcomes = list(at_risk = 0.34, lost = 0.28, retained = 0.38),
               silent_outcomes = list(at_risk = 0.55, lost = 0.45))
base_p <- c(R = inputs$revenue, q = inputs$negative_rate, c = inputs$complaint_rate,
            ca = 0.34, cl = 0.28, cr = 0.38, sa = 0.55, sl = 0.45)

outputs_at <- function(p) lapply(OUTPUTS, function(e) num(evaluate(e, p)))

# Scenario rules (as documented in cxmetrics.negative_experience_cost):
# recovery rate r' -> retained = r'; lost and at risk scaled by (1 - r') / (cl + ca).
with_recovery <- function(p, r) {
  k <- (1 - r) / (p[["cl"]] + p[["ca"]])
  p[["cl"]] <- p[["cl"]] * k; p[["ca"]] <- p[["ca"]] * k; p[["cr"]] <- r
  p
}
scenarios <- list(
  list(name = "recovery_rate_raised", changes = list(recovery_rate = 0.6),
       p = with_recovery(base_p, 0.6)),
  list(name = "complaint_rate_raised", changes = list(complaint_rate = 0.1),
       p = replace(base_p, "c", 0.1)),
  list(name = "negative_rate_lowered", changes = list(negative_rate = 0.15),
       p = replace(base_p, "q", 0.15)),
  list(name = "all_levers", changes = list(recovery_rate = 0.6, complaint_rate = 0.1,
                                            negative_rate = 0.15),
       p = replace(replace(with_recovery(base_p, 0.6), "c", 0.1), "q", 0.15))
)
scenario_out <- lapply(scenarios, function(s) {
  list(name = s$name, changes = s$changes, expected = outputs_at(s$p))
})

# delta method
n_sizes <- list(negative_rate = 1000, complaint_rate = 220, complainer_outcomes = 60,
                silent_outcomes = 400)
V <- param_cov(base_p, n_sizes)
delta_se <- lapply(OUTPUTS, function(e) {
  g <- gradient(e, base_p)
  num(sqrt(t(g) %*% V %*% g))
})
# saving from raising the recovery rate to 0.6: lost_total(p) - lost_total(p')
saving_expr <- quote(R * q * c * cl + R * q * (1 - c) * sl -
                       (R * q * c * cl * (1 - 0.6) / (cl + ca) + R * q * (1 - c) * sl))
saving_g <- gradient(saving_expr, base_p)
agree(evaluate(saving_expr, base_p),
      outputs_at(base_p)$revenue_lost_total -
        outputs_at(with_recovery(base_p, 0.6))$revenue_lost_total, "saving")
# a second, partial n: only the negative rate estimated
V_q <- V * 0
V_q["q", "q"] <- V["q", "q"]
delta_se_q <- lapply(OUTPUTS, function(e) {
  g <- gradient(e, base_p)
  num(sqrt(t(g) %*% V_q %*% g))
})

cost <- list(
  source = paste("Cost of negative customer experience, worked example (MISSION.md,",
                 "worked example 2; reference/negative_experience_cost.json)"),
  inputs = inputs,
  published = list(revenue_lost_complainers = 61600, revenue_lost_silent = 4851000,
                   revenue_lost_total = 4912600, revenue_at_risk_complainers = 74800,
                   revenue_at_risk_silent = 5929000,
                   revenue_lost_silent_share_of_revenue = 0.09702),
  expected = outputs_at(base_p),
  scenarios = scenario_out,
  delta = list(n = n_sizes, std_error = delta_se,
               recovery_0_6_saving = list(estimate = num(evaluate(saving_expr, base_p)),
                                          std_error = num(sqrt(t(saving_g) %*% V %*% saving_g)))),
  delta_negative_rate_only = list(n = list(negative_rate = 1000), std_error = delta_se_q)
)

# =============================================================================
# Part 2: X + O linkage
# =============================================================================
make_design <- function(d, weighted, stratified) {
  suppressWarnings({
    if (weighted && stratified) svydesign(ids = ~1, strata = ~s, weights = ~w, data = d)
    else if (weighted)          svydesign(ids = ~1, weights = ~w, data = d)
    else                        svydesign(ids = ~1, data = d)
  })
}

simulate_link <- function(seed, n, weighted, stratified, binary, n_seg = 8) {
  set.seed(seed)
  labs <- sprintf("seg%d", seq_len(n_seg))
  shift <- setNames(seq(-2, 2, length.out = n_seg), labs)
  d <- data.frame(seg = sample(labs, n, replace = TRUE))
  latent <- 7 + shift[d$seg] + rnorm(n, 0, 2.2)
  d$score <- as.integer(pmin(pmax(round(latent), 0), 10))
  if (stratified) d$s <- sample(c("s1", "s2", "s3"), n, replace = TRUE, prob = c(.5, .3, .2))
  if (binary) {
    d$y <- as.numeric(rbinom(n, 1, plogis(-1.2 - 0.3 * (d$score - 7))))
  } else {
    d$y <- round(2000 + 120 * shift[d$seg] + 55 * d$score + rnorm(n, 0, 400), 2)
  }
  if (weighted) {
    sc <- if (stratified) c(s1 = 1, s2 = 2.5, s3 = 0.6)[d$s] else 1
    d$w <- as.numeric(rlnorm(n, 0, 0.5) * sc)
  } else {
    d$w <- rep(1, n)
  }
  d$grp <- factor(ifelse(d$score <= 6, "detractors", ifelse(d$score <= 8, "passives",
                                                             "promoters")),
                  levels = c("detractors", "passives", "promoters"))
  d$z <- ifelse(d$grp == "promoters", 1, ifelse(d$grp == "detractors", -1, 0))
  d$dD <- as.numeric(d$grp == "detractors")
  d$dP <- as.numeric(d$grp == "passives")
  d$yD <- d$dD * d$y
  d$yP <- d$dP * d$y
  d
}

hc_block <- function(fit) {
  out <- list()
  for (type in c("HC0", "HC1", "HC2", "HC3")) {
    v <- vcovHC(fit, type = type)
    out[[type]] <- list(std_error = num(sqrt(diag(v))), vcov = mat(v))
  }
  v1 <- vcovHC(fit, type = "HC1")
  ct <- coeftest(fit, vcov. = v1)
  ci <- coefci(fit, vcov. = v1, level = 0.95)
  out$HC1_test <- list(statistic = num(ct[, 3]), p_value = num(ct[, 4]),
                       ci_low = num(ci[, 1]), ci_high = num(ci[, 2]),
                       df = num(fit$df.residual))
  v3 <- vcovHC(fit, type = "HC3")
  ct3 <- coeftest(fit, vcov. = v3)
  out$HC3_test <- list(statistic = num(ct3[, 3]), p_value = num(ct3[, 4]))
  out
}

link_case <- function(name, seed, n, weighted, stratified, binary) {
  d <- simulate_link(seed, n, weighted, stratified, binary)
  des <- make_design(d, weighted, stratified)

  # -- outcome by NPS group
  by <- svyby(~y, ~grp, des, svymean, covmat = TRUE)
  loop <- sapply(levels(d$grp), function(l) coef(svymean(~y, subset(des, grp == l))))
  agree(coef(by), loop, paste(name, "svyby vs subset"))
  V <- vcov(by)
  by_se <- setNames(as.numeric(SE(by)), names(coef(by)))
  groups <- lapply(levels(d$grp), function(l) {
    list(group = l, estimate = num(coef(by)[l]), std_error = num(by_se[l]),
         n = sum(d$grp == l), sum_weights = sum(d$w[d$grp == l]))
  })
  overall <- svymean(~y, des)
  con <- svycontrast(by, list(
    promoters_vs_detractors = c(detractors = -1, passives = 0, promoters = 1),
    passives_vs_detractors = c(detractors = -1, passives = 1, promoters = 0),
    promoters_vs_passives = c(detractors = 0, passives = -1, promoters = 1)))
  con_se <- setNames(as.numeric(SE(con)), names(coef(con)))
  contrasts <- lapply(names(coef(con)), function(k)
    list(name = k, estimate = num(coef(con)[k]), std_error = num(con_se[k])))

  # -- stake: detractors behaving like passives
  m <- svymean(~dD + dP + yD + yP, des)
  s_pc <- svycontrast(m, quote(dD * yP / dP - yD))
  tt <- svytotal(~dD + dP + yD + yP, des)
  s_tot <- svycontrast(tt, quote(dD * yP / dP - yD))
  p_D <- sum(d$w * d$dD) / sum(d$w)
  agree(coef(s_pc), p_D * (coef(by)["passives"] - coef(by)["detractors"]), "stake")
  stake <- list(per_customer = list(estimate = num(coef(s_pc)), std_error = num(SE(s_pc))),
                total_sum_weights = list(estimate = num(coef(s_tot)),
                                         std_error = num(SE(s_tot))))

  # -- customer-level regressions
  customer <- list()
  for (reg in c("nps", "score")) {
    d$x <- if (reg == "nps") 100 * d$z else as.numeric(d$score)
    fit <- lm(y ~ x, data = d, weights = w)
    desx <- make_design(d, weighted, stratified)
    sfit <- svyglm(y ~ x, desx)
    agree(coef(sfit), coef(fit), paste(name, reg, "svyglm coef"))
    customer[[reg]] <- c(list(coef = num(coef(fit)), n = nrow(d)), hc_block(fit),
                         list(svyglm_std_error = num(SE(sfit))))
  }

  # -- segment-level
  zby <- svyby(~z, ~seg, des, svymean)
  yby <- svyby(~y, ~seg, des, svymean)
  segs <- sort(unique(d$seg))
  iz <- match(segs, names(coef(zby)))
  iy <- match(segs, names(coef(yby)))
  stopifnot(!anyNA(iz), !anyNA(iy))
  seg_tab <- data.frame(
    seg = segs,
    nps = 100 * as.numeric(coef(zby))[iz],
    nps_se = 100 * as.numeric(SE(zby))[iz],
    mean = as.numeric(coef(yby))[iy],
    mean_se = as.numeric(SE(yby))[iy],
    sum_w = as.numeric(tapply(d$w, d$seg, sum)[segs]),
    n = as.numeric(table(d$seg)[segs]))
  segment <- list(table = lapply(seq_len(nrow(seg_tab)), function(i) as.list(seg_tab[i, ])))
  for (weighting in c("size", "equal")) {
    om <- if (weighting == "size") seg_tab$sum_w else rep(1, nrow(seg_tab))
    fit <- lm(mean ~ nps, data = seg_tab, weights = om)
    omn <- om / sum(om)
    xbar <- sum(omn * seg_tab$nps)
    lambda <- 1 - sum(omn * seg_tab$nps_se^2) / sum(omn * (seg_tab$nps - xbar)^2)
    segment[[weighting]] <- c(list(coef = num(coef(fit)), reliability = num(lambda),
                                   slope_corrected = num(coef(fit)[2] / lambda)),
                              hc_block(fit))
  }

  list(name = name,
       data = list(score = d$score, outcome = d$y,
                   weights = if (weighted) d$w else NULL,
                   strata = if (stratified) d$s else NULL,
                   segment = d$seg),
       options = list(breaks = c(6L, 8L), weighted = weighted, stratified = stratified,
                      binary = binary),
       expected = list(groups = groups, covariance = mat(V),
                       overall = list(estimate = num(coef(overall)),
                                      std_error = num(SE(overall))),
                       contrasts = contrasts, stake = stake, customer = customer,
                       segment = segment, df = degf(des)))
}

link_cases <- list()
link_seeds <- list()
add_link <- function(case_name, offset, ...) {
  s <- BASE_SEED + offset
  link_cases[[length(link_cases) + 1]] <<- link_case(case_name, s, ...)
  link_seeds[[case_name]] <<- s
}
add_link("link_weighted_continuous", 1L, n = 600, weighted = TRUE, stratified = FALSE,
         binary = FALSE)
add_link("link_weighted_stratified_continuous", 2L, n = 560, weighted = TRUE,
         stratified = TRUE, binary = FALSE)
add_link("link_unweighted_binary", 3L, n = 500, weighted = FALSE, stratified = FALSE,
         binary = TRUE)
add_link("link_weighted_binary", 4L, n = 640, weighted = TRUE, stratified = FALSE,
         binary = TRUE)

# =============================================================================
# Write
# =============================================================================
si <- Sys.info()
provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/impact.R",
  command = "Rscript tests/reference/generate/impact.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  sandwich_version = as.character(packageVersion("sandwich")),
  lmtest_version = as.character(packageVersion("lmtest")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  os = list(sysname = unname(si["sysname"]), release = unname(si["release"]),
            machine = unname(si["machine"])),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = BASE_SEED,
  rng_kind = RNGkind(),
  case_seeds = link_seeds,
  conventions = list(
    cost = "outputs are products of the inputs; delta SE with stats::deriv gradients",
    recovery_scenario = "retained = r'; lost, at risk scaled by (1 - r') / (lost + at risk)",
    groups = "detractors 0-6, passives 7-8, promoters 9-10; svyby(covmat = TRUE)",
    stake = "svycontrast(svymean / svytotal(~dD + dP + yD + yP), dD * yP / dP - yD)",
    customer = "lm(y ~ x, weights = w); x = 100 * z ('nps') or score ('score')",
    hc = "sandwich::vcovHC(type); HC1_test = lmtest::coeftest / coefci (t, df.residual)",
    segment = "lm(mean ~ nps, weights = sum_w ('size') or none ('equal'))",
    reliability = "1 - sum(W * nps_se^2) / sum(W * (nps - weighted mean)^2), W normalised"
  )
)

dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
write_json(list(`_provenance` = provenance, cost = cost, link_cases = link_cases),
           out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null",
           na = "null")
cat("wrote cost example and", length(link_cases), "link cases to", out_path, "\n")
