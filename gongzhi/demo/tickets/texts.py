"""Demo tickets: what residents write and staff answer (Chinese texts per category), and the
demo grid's showcase of open states."""

from __future__ import annotations

from gongzhi.demo.tickets.constants import S
from gongzhi.tickets.workflow import Step

# --------------------------------------------------------------------------- texts
# Per category: (kind, template). Variable parts: {estate} {building} {unit} {floor} {room}
# {room_up} {road} {n} {relation}.
TEXTS: dict[str, list[tuple[str, str]]] = {
    "streetlight": [
        ("report", "{estate}{building}门口的路灯已经连续{n}天晚上不亮了，老人晚上散步看不清路，请尽快安排维修。"),
        ("complaint", "{road}靠近{estate}的路段有{n}盏路灯一直闪烁，反映过一次还没修，晚上骑电动车很危险。"),
        ("suggestion", "建议在{estate}{building}到小区后门的小路上加装两盏路灯，现在晚上太黑，下晚班回家不安全。"),
        ("report", "{estate}中心花园的庭院灯灯罩碎了，灯杆底部电线外露，孩子经常在旁边玩。"),
    ],
    "road": [
        ("report", "{estate}{building}前面的水泥路面塌陷了一个大坑，下雨后积水，已经有老人摔倒。"),
        ("report", "{road}人行道地砖松动翘起{n}块左右，老人孩子容易绊倒，请安排修补。"),
        ("complaint", "小区主干道的减速带损坏，螺丝外露，车辆经过声音很大，{building}的住户晚上睡不好。"),
    ],
    "drainage": [
        ("report", "{estate}{building}旁边的井盖破损，中间裂开一道缝，晚上很危险，请马上处理。"),
        ("help", "连续下雨，{estate}{building}{unit}单元门口的下水道堵塞，污水倒灌到楼道里，请帮忙疏通。"),
        ("report", "{road}路边的雨水篦子被垃圾堵住，一下雨就积水到脚踝，行人只能绕行。"),
    ],
    "garbage": [
        ("complaint", "{estate}{building}楼下的垃圾桶已经{n}天没有清运，天气热气味很大，招苍蝇。"),
        ("report", "有人在{estate}{building}后面的空地上乱倒装修垃圾，堆了很多，请清理并加强管理。"),
        ("suggestion", "{estate}的分类垃圾桶不够用，每天傍晚就满了，建议增加桶数或清运次数。"),
    ],
    "greening": [
        ("help", "{estate}{building}旁边的大树枝条伸到{floor}楼窗户，遮挡采光，刮风时拍打窗户，请帮忙修剪。"),
        ("complaint", "小区绿化带被人种菜、堆放杂物，{estate}{building}前面尤其严重，影响环境。"),
        ("suggestion", "建议在{estate}中心花园增加一些座椅和遮阳的树，方便老人休息。"),
    ],
    "lift": [
        ("complaint", "{estate}{building}{unit}单元电梯又停了，有人困在{floor}楼附近十多分钟，家里有老人上下楼很困难。"),
        ("report", "{building}{unit}单元电梯运行时异响很大，门也关不严，请物业尽快检修。"),
        ("consult", "{estate}{building}{unit}单元电梯的年检合格证好像过期了，请问今年的检验做了没有？"),
    ],
    "leak": [
        ("help", "{building}{unit}单元{room}室卫生间天花板渗水，可能是楼上{room_up}室水管漏了，联系不上楼上业主。"),
        ("help", "{estate}{building}外墙渗水，{floor}楼卧室墙面发霉脱落，下雨就更严重，请物业维修。"),
        ("complaint", "顶楼{room}室屋面防水老化，客厅漏雨，报修两次了还没有人来看。"),
    ],
    "parking": [
        ("complaint", "{estate}外来车辆随意进出，占用业主车位，请物业加强门岗管理。"),
        ("suggestion", "{building}楼下电动车乱停，挡住单元门，建议规划集中停放和充电的地方。"),
        ("report", "{estate}地下车库的照明坏了一半，{n}个车位那一排完全看不见，请物业维修。"),
    ],
    "noise": [
        ("complaint", "{building}{unit}单元{room}室最近每天晚上十一点以后还在装修敲打，影响休息。"),
        ("complaint", "小区广场舞音响声音太大，晚上九点半以后还在放，{estate}{building}的住户意见很大。"),
        ("report", "{road}沿街烧烤店深夜喧哗，凌晨一两点还很吵，附近{estate}的住户睡不着。"),
    ],
    "dispute": [
        ("help", "{building}{unit}单元{room}室在楼道堆放杂物，占用公共空间，多次沟通无果，请社区协调。"),
        ("help", "楼上{room_up}室的空调外机冷凝水滴到我家阳台，协商不成，希望社区帮忙调解。"),
        ("complaint", "邻居在{estate}公共绿地上私搭棚子养鸡，气味很大，双方已经发生争执。"),
    ],
    "fire_passage": [
        ("report", "{estate}{building}{unit}单元楼道里堆满纸箱和旧家具，消防通道被堵，存在火灾隐患。"),
        ("report", "{estate}{building}东侧的消防通道被私家车长期占用，消防车无法通行。"),
        ("report", "有住户在{building}{unit}单元楼道给电动车充电，电线从{floor}楼窗口拉下来。"),
    ],
    "hazard": [
        ("report", "{estate}{building}外墙瓷砖脱落，{floor}楼附近还有一片松动，下面就是人行道，很危险。"),
        ("report", "{road}路边一根电线杆倾斜，电线垂得很低，请尽快派人处理。"),
        ("report", "{estate}{building}一楼商铺把液化气罐放在门外，还在旁边抽烟，担心出事。"),
    ],
    "elderly": [
        ("consult", "家里老人八十多岁，独居在{building}{unit}单元{room}室，想申请居家养老上门服务，请问怎么办理？"),
        ("help", "{estate}{building}有位独居老人好几天没出门了，邻居有点担心，请社区上门看看。"),
        ("consult", "请问社区老年食堂的开放时间和收费标准是怎样的？家里老人想去吃午饭。"),
    ],
    "assistance": [
        ("help", "家里{relation}重病住院，医疗费负担很重，想了解临时救助的申请条件。"),
        ("help", "我是{building}{unit}单元{room}室的住户，最近失业了，两个孩子在上学，想申请困难帮扶。"),
        ("help", "家里{relation}是残疾人，需要借用轮椅，请社区帮忙联系。"),
    ],
    "certificate": [
        ("consult", "请问开具居住证明需要带哪些材料？社区什么时间可以办理？"),
        ("consult", "孩子上学需要开具居住情况证明，请问是在社区还是派出所办理？"),
        ("consult", "咨询办理老年人优待证需要的材料和流程。"),
    ],
    "municipal": [("report", "{road}靠近{estate}的公共设施损坏了，请相关部门查看处理。")],
    "environment": [("complaint", "{estate}{building}周边卫生状况较差，希望加强日常保洁。")],
    "property": [("complaint", "对{estate}的物业服务不满意，保洁和门岗管理都不到位，希望社区督促。")],
    "neighbour": [("help", "和楼上邻居因为一些琐事产生矛盾，希望社区帮忙调解。")],
    "safety": [("report", "{estate}{building}附近晚上常有陌生人逗留，希望加强巡逻。")],
    "welfare": [("consult", "请问社区有哪些便民服务项目，怎么预约？")],
    "other": [
        ("suggestion", "建议社区周末多组织一些亲子活动，{estate}的孩子比较多。"),
        ("complaint", "{estate}的快递柜不够用，快递每天堆在{building}门口，容易丢件。"),
        ("consult", "请问社区志愿服务怎么报名参加？想利用周末做点事情。"),
    ],
}  # fmt: skip
# The demo grid's showcase: one ticket stopped in each open state a few hours back, so that
# every workbench of the demo logins has items (target, hours ago, the resident login's own).
SHOWCASE = (
    (S.SUBMITTED, 0.5, True, ()),  # (status it stops in, hours ago, the resident's, steps)
    (S.ACCEPTED, 3, False, (Step.ACCEPT,)),
    (S.IN_GRID, 20, False, (Step.ACCEPT, Step.HANDLE)),
    (S.IN_GRID, 8, True, (Step.ACCEPT, Step.HANDLE)),
    (S.ESCALATED, 6, False, (Step.ACCEPT, Step.ESCALATE)),
    (S.DISPATCHED, 26, False, (Step.ESCALATE, Step.DISPATCH)),
    (S.POOLED, 10, False, (Step.ESCALATE, Step.POOL)),
    (S.POOLED, 30, True, (Step.ESCALATE, Step.POOL)),
    (S.TAKEN, 28, False, (Step.ESCALATE, Step.POOL, Step.TAKE)),
    (S.IN_PROGRESS, 50, False, (Step.ESCALATE, Step.POOL, Step.TAKE, Step.START)),
    (S.RETURNED, 40, False, (Step.ESCALATE, Step.DISPATCH, Step.RETURN)),
    (S.ESCALATED_TO_STREET, 45, False, (Step.ESCALATE, Step.ESCALATE_TO_STREET)),
    (S.RESOLVED, 30, True, (Step.ACCEPT, Step.HANDLE, Step.RESOLVE)),
    (S.CONFIRMED, 60, True, (Step.ACCEPT, Step.HANDLE, Step.RESOLVE, Step.CONFIRM)),
)
SHOWCASE_CATEGORIES = ("streetlight", "road", "garbage", "noise")  # grid-routed, normal
RELATIONS = ["父亲", "母亲", "爱人", "孩子", "老伴"]
RESOLUTIONS = [
    "已到现场查看并安排维修，已处理完毕，电话告知住户。",
    "已联系相关责任单位处理，现场已恢复正常。",
    "已上门了解情况并协调解决，住户表示认可。",
    "已安排人员清理，并张贴提示，今后加强巡查。",
    "已组织双方当面沟通，达成一致意见。",
    "已协助住户准备材料并办理完成。",
    "已更换损坏部件，经测试运行正常。",
    "已答复咨询内容，并告知办理地点和时间。",
]
COMMENTS = {
    5: ["处理很及时，谢谢！", "网格员态度很好，点赞。", "", "", "很满意。"],
    4: ["解决了，就是等得有点久。", "", "基本满意。"],
    3: ["问题解决了，但来回跑了好几趟。", ""],
    2: ["问题没有彻底解决，过几天又坏了。", "处理得太慢了。"],
    1: ["没人联系我就说办结了。", "根本没有解决。"],
}
ESCALATE_NOTES = ["超出网格处理能力，提请社区协调。", "需要协调物业和相关部门，上报社区。"]
STREET_NOTES = ["涉及多个部门，提请街道协调。"]
RETURN_NOTES = ["不属于本人负责的范围，请重新派单。", "需要专业维修队伍，申请改派。"]
REOPEN_NOTES = ["回访住户不满意，重新安排处理。"]
