<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Catalog;

use Magento\Catalog\Model\Product\Action as ProductAction;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\QuarantineResultInterface;
use MagentoIr\IncidentResponse\Api\QuarantineProductsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\QuarantineResult;

/**
 * Takes products off sale in every store scope in one transaction, recording how they were.
 */
final class QuarantineProducts implements QuarantineProductsInterface
{
    public const ACTION = 'catalog.quarantine';
    public const MAX_SKUS = 10000;
    /** Magento\Catalog\Model\Product\Attribute\Source\Status::STATUS_DISABLED, as an int (quote plugin trap). */
    public const STATUS_DISABLED = 2;

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly ProductStatusStore $store,
        private readonly ProductAction $productAction,
        private readonly ProductIndexAndCache $indexAndCache,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(array $skus, string $reason, ?string $incidentId = null): QuarantineResultInterface
    {
        $request = [
            'skus' => $this->skus($skus),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->quarantine($request['skus'], $request['reason'], $request['incidentId'])
        );
        return QuarantineResult::fromArray($response);
    }

    /**
     * @param list<string> $skus
     */
    private function quarantine(array $skus, string $reason, ?string $incidentId): ActionOutcome
    {
        $idsBySku = $this->store->productIdsBySku($skus);
        $busy = array_flip($this->store->activelyQuarantined(array_values($idsBySku)));
        $toQuarantine = array_filter($idsBySku, static fn (int $id): bool => !isset($busy[$id]));
        $productIds = array_values(array_unique($toQuarantine));
        $priorRows = $this->store->statusRows($productIds);

        $quarantineId = null;
        if ($productIds !== []) {
            $quarantineId = $this->store->recordQuarantine(
                $this->dateTime->gmtDate('Y-m-d H:i:s'),
                $reason,
                $incidentId,
                $toQuarantine,
                $priorRows
            );
            $this->productAction->updateAttributes($productIds, ['status' => self::STATUS_DISABLED], 0);
            // Store-view values override the default one, so each store that has its own gets disabled too.
            foreach ($this->productsByOverridingStore($priorRows) as $storeId => $ids) {
                $this->productAction->updateAttributes($ids, ['status' => self::STATUS_DISABLED], $storeId);
            }
        }

        $items = [];
        foreach ($skus as $sku) {
            $id = $idsBySku[$sku] ?? null;
            $item = ['sku' => $sku, 'result' => 'not_found', 'prior_statuses' => []];
            if ($id !== null) {
                $item['product_id'] = $id;
                $item['result'] = isset($toQuarantine[$sku]) ? 'quarantined' : 'already_quarantined';
                if (isset($toQuarantine[$sku])) {
                    $item['prior_statuses'] = self::storeStatuses($priorRows[$id] ?? []);
                }
            }
            $items[] = $item;
        }
        $result = [
            'requested' => count($skus),
            'quarantined' => count($productIds),
            'items' => $items,
        ];
        if ($quarantineId !== null) {
            $result['quarantine_id'] = $quarantineId;
        }
        return new ActionOutcome(
            ['status_rows' => $priorRows],
            $result,
            [fn () => $this->indexAndCache->cleanPageCache($productIds)]
        );
    }

    /**
     * @param array<int, int|null> $rows store id => value
     * @return list<array{store_id: int, status: int}>
     */
    public static function storeStatuses(array $rows): array
    {
        $statuses = [];
        foreach ($rows as $storeId => $value) {
            if ($value !== null) {
                $statuses[] = ['store_id' => $storeId, 'status' => $value];
            }
        }
        return $statuses;
    }

    /**
     * @param array<int, array<int, int>> $priorRows
     * @return array<int, list<int>> store id => product ids with their own value there
     */
    private function productsByOverridingStore(array $priorRows): array
    {
        $byStore = [];
        foreach ($priorRows as $productId => $stores) {
            foreach (array_keys($stores) as $storeId) {
                if ($storeId !== 0) {
                    $byStore[$storeId][] = $productId;
                }
            }
        }
        ksort($byStore);
        return $byStore;
    }

    /**
     * @param array<mixed> $skus
     * @return list<string>
     * @throws InputException
     */
    private function skus(array $skus): array
    {
        if (count($skus) > self::MAX_SKUS) {
            throw $this->input->invalid('skus', count($skus) . ' SKUs (at most ' . self::MAX_SKUS . ' per call)');
        }
        $clean = [];
        foreach ($skus as $sku) {
            if (!is_string($sku) || trim($sku) === '' || mb_strlen($sku) > 64) {
                throw $this->input->invalid('skus', is_scalar($sku) ? (string) $sku : gettype($sku));
            }
            // SKUs match case-insensitively, so "abc" and "ABC" are one product.
            $clean[mb_strtolower($sku)] ??= $sku;
        }
        if ($clean === []) {
            throw $this->input->required('skus');
        }
        return array_values($clean);
    }
}
