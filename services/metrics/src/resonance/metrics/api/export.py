"""KPI reports as CSV."""

from fastapi import APIRouter, Response

from resonance.metrics.api.deps import ContentKpiReader, Period, Rt, SegmentFilter
from resonance.metrics.render.csv_export import to_csv
from resonance.metrics.service import kpis_export
from resonance.metrics.service.kpis_export import Report

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])


@router.get(
    "/export.csv",
    response_class=Response,
    summary="A KPI report as CSV (daily, networks, top-items, top-ambassadors, campaigns)",
    responses={200: {"content": {"text/csv": {}}, "description": "The report"}},
)
async def export_csv(
    principal: ContentKpiReader,
    rt: Rt,
    period: Period,
    segment: SegmentFilter,
    report: Report = Report.DAILY,
) -> Response:
    async with rt.unit_of_work() as uow:
        header, rows = await kpis_export.report(uow, principal, report, period, segment)
    return Response(
        content=to_csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{report.value}.csv"'},
    )
