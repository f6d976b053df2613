<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Catalog;

use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\ReleaseResultInterface;
use MagentoIr\IncidentResponse\Api\ReleaseProductsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\ReleaseResult;

/**
 * Puts quarantined products back exactly as recorded, row for row.
 *
 * Restoring through Product\Action would spread website-scoped values over sibling store views (and drop
 * store values in single-store mode), so the recorded rows are written back directly and then reindexed.
 */
final class ReleaseProducts implements ReleaseProductsInterface
{
    public const ACTION = 'catalog.release';

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly ProductStatusStore $store,
        private readonly ProductIndexAndCache $indexAndCache,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        int $quarantineId,
        string $reason,
        ?string $incidentId = null,
        array $skus = []
    ): ReleaseResultInterface {
        $request = [
            'quarantineId' => $this->input->intRange('quarantineId', $quarantineId, 1, PHP_INT_MAX),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'skus' => $this->skus($skus),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            function () use ($quarantineId, $request): ActionOutcome {
                // Refused inside the action so the refusal is logged.
                if (!$this->store->quarantineExists($quarantineId)) {
                    throw NoSuchEntityException::singleField('quarantineId', $quarantineId);
                }
                return $this->release($quarantineId, $request['skus']);
            }
        );
        return ReleaseResult::fromArray($response);
    }

    /**
     * @param list<string> $skus
     */
    private function release(int $quarantineId, array $skus): ActionOutcome
    {
        $recorded = [];
        $skuOf = [];
        foreach ($this->store->activeItems($quarantineId, $skus) as $item) {
            $recorded[$item['product_id']][$item['store_id']] = $item['prior_status'];
            $skuOf[$item['product_id']] = $item['sku'];
        }
        $productIds = array_keys($recorded);
        $current = $this->store->statusRows($productIds);
        $this->store->restoreStatusRows($recorded);
        $this->store->markReleased($quarantineId, $productIds, $this->dateTime->gmtDate('Y-m-d H:i:s'));

        $items = [];
        foreach ($recorded as $productId => $stores) {
            $items[] = [
                'sku' => $skuOf[$productId],
                'product_id' => $productId,
                'result' => 'released',
                'prior_statuses' => QuarantineProducts::storeStatuses($stores),
            ];
        }
        $released = array_change_key_case(array_flip(array_map('strval', $skuOf)));
        foreach ($skus as $sku) {
            if (!isset($released[mb_strtolower($sku)])) {
                $items[] = ['sku' => $sku, 'result' => 'not_quarantined', 'prior_statuses' => []];
            }
        }
        return new ActionOutcome(
            ['status_rows' => $current],
            ['quarantine_id' => $quarantineId, 'released' => count($productIds), 'items' => $items],
            [function () use ($productIds): void {
                $this->indexAndCache->reindex($productIds);
                $this->indexAndCache->cleanPageCache($productIds);
            }]
        );
    }

    /**
     * @param array<mixed> $skus
     * @return list<string>
     */
    private function skus(array $skus): array
    {
        if (count($skus) > QuarantineProducts::MAX_SKUS) {
            throw $this->input->invalid('skus', count($skus) . ' SKUs (at most 10000 per call)');
        }
        $clean = [];
        foreach ($skus as $sku) {
            if (!is_string($sku) || trim($sku) === '' || mb_strlen($sku) > 64) {
                throw $this->input->invalid('skus', is_scalar($sku) ? (string) $sku : gettype($sku));
            }
            $clean[mb_strtolower($sku)] ??= $sku;
        }
        return array_values($clean);
    }
}
